from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    """Stakeholders, alignment, reviews, decisions and reminders."""

    name = "stakeholders"
