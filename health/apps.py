from django.apps import AppConfig


class HealthConfig(AppConfig):
    """Alignment health and the leader dashboard.

    A separate app because it reads across all the others (organisation, goals,
    products, metrics, stakeholders) while none of them depends on it.
    """

    name = "health"
    verbose_name = "Alignment health"
