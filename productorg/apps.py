from django.apps import AppConfig


class ProductOrgConfig(AppConfig):
    """The shared kernel: base models, errors, API glue and API tokens."""

    name = "productorg"
    verbose_name = "ProductOrg"
