from django.apps import AppConfig


class RolesConfig(AppConfig):
    """The organisation and its people: units, teams, the job ladder, seats."""

    name = "roles"
    verbose_name = "Organisation"
