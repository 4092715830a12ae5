"""Exports of products and goals from the HR admin (django-import-export resources).

Columns name things (units, owners by e-mail, periods) instead of ids, like the
organisation's exports (``roles.resources``). The goals export includes private goals:
only HR admins reach the admin.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from .models import Goal, Product

ISO_DATE = widgets.DateWidget(format="%Y-%m-%d")


def _field(attribute: str, column_name: str, **kwargs) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column_name, readonly=True, **kwargs)


class ProductResource(resources.ModelResource):
    """Products with their unit, team, owner and lifecycle stage."""

    name = _field("name", "name")
    slug = _field("slug", "slug")
    business_unit = _field("business_unit__name", "business unit")
    team = _field("team__name", "team")
    owner_email = _field("owner__email", "owner email")
    stage = _field("get_stage_display", "lifecycle stage")
    stage_changed_at = _field("stage_changed_at", "stage since", widget=ISO_DATE)

    class Meta:
        model = Product
        fields = (
            "name",
            "slug",
            "business_unit",
            "team",
            "owner_email",
            "stage",
            "stage_changed_at",
        )
        export_order = fields
        name = "Products"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("business_unit", "team", "owner")


class GoalResource(resources.ModelResource):
    """Goals with their period, level, owner, scope, status and derived progress."""

    id = _field("id", "goal id")
    title = _field("title", "title")
    period = _field("period__name", "period")
    level = _field("get_level_display", "level")
    owner_email = _field("owner__email", "owner email")
    product = _field("product__name", "product")
    business_unit = _field("business_unit__name", "business unit")
    team = _field("team__name", "team")
    status = _field("get_status_display", "status")
    visibility = _field("get_visibility_display", "visibility")
    confidence = _field("confidence", "confidence")
    progress = _field("progress", "progress (%)", widget=widgets.DecimalWidget())

    class Meta:
        model = Goal
        fields = (
            "id",
            "title",
            "period",
            "level",
            "owner_email",
            "product",
            "business_unit",
            "team",
            "status",
            "visibility",
            "confidence",
            "progress",
        )
        export_order = fields
        name = "Goals"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("period", "owner", "product", "business_unit", "team")
