"""Exports of the organisation (django-import-export resources, used by the HR admin).

The people export has exactly the columns the people import reads
(``roles.imports.COLUMNS``), so an export can be edited and imported back. Seat
costs appear only in the positions export, which only HR admins can reach.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from .models import BusinessUnit, Person, Position, Role, Team

ISO_DATE = widgets.DateWidget(format="%Y-%m-%d")


def _field(attribute: str, column_name: str, **kwargs) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column_name, readonly=True, **kwargs)


class PersonResource(resources.ModelResource):
    """People, one row each, in the import's columns."""

    email = _field("email", "email")
    full_name = _field("full_name", "full name")
    title = _field("title", "title")
    role = _field("role__name", "role")
    manager_email = _field("manager__email", "manager email")
    team = _field("team__name", "team")
    business_unit = _field("business_unit__name", "business unit")
    location = _field("location", "location")
    start_date = _field("start_date", "start date", widget=ISO_DATE)

    class Meta:
        model = Person
        fields = (
            "email",
            "full_name",
            "title",
            "role",
            "manager_email",
            "team",
            "business_unit",
            "location",
            "start_date",
        )
        export_order = fields
        name = "People (import format)"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("role", "manager", "team", "business_unit")


class RoleResource(resources.ModelResource):
    """The job ladder, most senior first."""

    name = _field("name", "name")
    family = _field("get_family_display", "family")
    track = _field("get_track_display", "track")
    level = _field("level", "level")
    summary = _field("summary", "summary")
    responsibilities = _field("responsibilities", "responsibilities")

    class Meta:
        model = Role
        fields = ("name", "family", "track", "level", "summary", "responsibilities")
        export_order = fields
        name = "Roles"


class BusinessUnitResource(resources.ModelResource):
    """Business units with their parent and leader."""

    name = _field("name", "name")
    slug = _field("slug", "slug")
    parent = _field("parent__name", "parent unit")
    leader_email = _field("leader__email", "leader email")

    class Meta:
        model = BusinessUnit
        fields = ("name", "slug", "parent", "leader_email")
        export_order = fields
        name = "Business units"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("parent", "leader")


class TeamResource(resources.ModelResource):
    """Teams with their unit and lead."""

    name = _field("name", "name")
    business_unit = _field("business_unit__name", "business unit")
    kind = _field("get_kind_display", "kind")
    lead_email = _field("lead__email", "lead email")

    class Meta:
        model = Team
        fields = ("name", "business_unit", "kind", "lead_email")
        export_order = fields
        name = "Teams"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("business_unit", "lead")


class PositionResource(resources.ModelResource):
    """Seats of the organisation plan, with their budgeted cost (HR admins only)."""

    id = _field("id", "seat id")
    title = _field("display_title", "title")
    role = _field("role__name", "role")
    team = _field("team__name", "team")
    status = _field("get_status_display", "status")
    holder_email = _field("holder__email", "holder email")
    reports_to_email = _field("reports_to__email", "reports to email")
    reports_to_position = _field("reports_to_position_id", "reports to seat id")
    budgeted_annual_cost = _field(
        "budgeted_annual_cost", "budgeted annual cost", widget=widgets.DecimalWidget()
    )
    currency = _field("currency", "currency")

    class Meta:
        model = Position
        fields = (
            "id",
            "title",
            "role",
            "team",
            "status",
            "holder_email",
            "reports_to_email",
            "reports_to_position",
            "budgeted_annual_cost",
            "currency",
        )
        export_order = fields
        name = "Seats"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("role", "team", "holder", "reports_to")
