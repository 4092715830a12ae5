from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RolesConfig(AppConfig):
    """The organisation and its people: units, teams, the job ladder, seats."""

    name = "roles"
    verbose_name = "Organisation"


class HRAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the HR-only site (``roles.admin_site``) as default."""

    default = False  # RolesConfig stays the configuration of the roles app
    default_site = "roles.admin_site.HRAdminSite"
