"""Filters of the organisation lists, shared by the API and the pages.

One FilterSet per list drives both the REST API (``DjangoFilterBackend``) and an HTML
list (``PersonFilterSet(request.GET, queryset=person_list()).qs``), so the two cannot
drift. Search and ordering live here too, under the same query parameters
(``search``, ``ordering``), rather than in DRF-only filter backends. Every ordering
ends on the primary key so pages never overlap or skip rows.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from .models import BusinessUnit, Person, Position, Role, Team
from .selectors import person_subtree_ids


class StableOrderingFilter(filters.OrderingFilter):
    """``?ordering=name,-level``; ties are broken by the primary key."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        qs = super().filter(qs, value)
        ordering = list(qs.query.order_by or qs.model._meta.ordering)
        if "pk" not in ordering and "id" not in ordering:
            qs = qs.order_by(*ordering, "pk")
        return qs


UNDER_HELP = "Id of a person: that person and everyone who reports to them, directly or not."


class PersonFilterSet(filters.FilterSet):
    """People by team, unit, role, manager, activity, name or e-mail, or under a leader."""

    search = filters.CharFilter(
        method="filter_search", label="Search", help_text="Part of the name or e-mail."
    )
    team = filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="Team id.")
    business_unit = filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), help_text="Business unit id."
    )
    role = filters.ModelChoiceFilter(queryset=Role.objects.all(), help_text="Role id.")
    manager = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the direct manager."
    )
    is_active = filters.BooleanFilter(help_text="Only active (true) or inactive (false) people.")
    under = filters.ModelChoiceFilter(
        queryset=Person.objects.all(),
        method="filter_under",
        label="Under",
        help_text=UNDER_HELP,
    )
    ordering = StableOrderingFilter(
        fields=(
            ("full_name", "full_name"),
            ("email", "email"),
            ("start_date", "start_date"),
            ("role__level", "level"),
            ("created_at", "created_at"),
        ),
        help_text="Sort by full_name, email, start_date, level or created_at; "
        "prefix with - for descending.",
    )

    class Meta:
        model = Person
        fields = ["search", "team", "business_unit", "role", "manager", "is_active", "under"]

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str):
        for term in value.split():
            queryset = queryset.filter(Q(full_name__icontains=term) | Q(email__icontains=term))
        return queryset

    @extend_schema_field({"type": "integer", "description": UNDER_HELP})
    def filter_under(self, queryset: QuerySet[Person], name: str, value: Person):
        # One recursive subquery inside the list query, whatever the subtree's size.
        return queryset.filter(pk__in=person_subtree_ids(root=value))


class BusinessUnitFilterSet(filters.FilterSet):
    """Units by parent (or only the top-level ones) and name."""

    search = filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search", help_text="Part of the name."
    )
    parent = filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), help_text="Id of the parent unit."
    )
    top_level = filters.BooleanFilter(
        field_name="parent",
        lookup_expr="isnull",
        label="Top level",
        help_text="Only units nested in no other unit (true) or only nested units (false).",
    )
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("slug", "slug"), ("created_at", "created_at")),
        help_text="Sort by name, slug or created_at; prefix with - for descending.",
    )

    class Meta:
        model = BusinessUnit
        fields = ["search", "parent", "top_level", "leader"]


class TeamFilterSet(filters.FilterSet):
    """Teams by business unit, kind, lead and name."""

    search = filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search", help_text="Part of the name."
    )
    business_unit = filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), help_text="Business unit id."
    )
    lead = filters.ModelChoiceFilter(queryset=Person.objects.all(), help_text="Id of the lead.")
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("kind", "kind"), ("created_at", "created_at")),
        help_text="Sort by name, kind or created_at; prefix with - for descending.",
    )

    class Meta:
        model = Team
        fields = ["search", "business_unit", "kind", "lead"]


class RoleFilterSet(filters.FilterSet):
    """Rungs of the ladder by family, track and name."""

    search = filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search", help_text="Part of the name."
    )
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("level", "level"), ("family", "family")),
        help_text="Sort by name, level or family; prefix with - for descending.",
    )

    class Meta:
        model = Role
        fields = ["search", "family", "track", "level"]


class PositionFilterSet(filters.FilterSet):
    """Seats by status, team, role, the person they report to and their holder."""

    team = filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="Team id.")
    role = filters.ModelChoiceFilter(queryset=Role.objects.all(), help_text="Role id.")
    reports_to = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the person the seat reports to."
    )
    holder = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the person in the seat."
    )
    ordering = StableOrderingFilter(
        fields=(("status", "status"), ("role__level", "level"), ("created_at", "created_at")),
        help_text="Sort by status, level or created_at; prefix with - for descending.",
    )

    class Meta:
        model = Position
        fields = ["status", "team", "role", "reports_to", "holder"]
