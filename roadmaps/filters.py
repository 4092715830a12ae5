"""Filters of the strategy and goal lists, shared by the API and the pages.

As in ``roles.filters``: one FilterSet per list drives the REST API
(``DjangoFilterBackend``) and any HTML list (``GoalFilterSet(request.GET,
queryset=goal_visible_queryset(user=request.user), request=request).qs``), with
``search`` and ``ordering`` under the same query parameters.

A filter that names a goal or a key result only accepts one the caller may see: a
private goal's id answers exactly like an id that does not exist, so a filter never
confirms that a hidden goal is there.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from roles.filters import StableOrderingFilter
from roles.models import BusinessUnit, Person, Team
from roles.selectors import person_subtree_ids

from .models import CheckIn, Goal, GoalLink, KeyResult, Period, Product, RoadmapItem, Vision
from .selectors import goal_visible_queryset, key_result_list

GOALS_UNDER_HELP = "Id of a person: goals owned by them or by anyone who reports to them."


def _user(request):
    return getattr(request, "user", None)


def visible_goals(request) -> QuerySet[Goal]:
    return goal_visible_queryset(user=_user(request))


def visible_key_results(request) -> QuerySet[KeyResult]:
    return key_result_list(user=_user(request))


def _search_terms(queryset: QuerySet, value: str, *fields: str) -> QuerySet:
    """Every word of ``value`` in at least one of ``fields``."""
    for term in value.split():
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": term})
        queryset = queryset.filter(match)
    return queryset


def _goal_filter(help_text: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(queryset=visible_goals, help_text=help_text, **kwargs)


class ProductFilterSet(filters.FilterSet):
    """Products by unit, team, owner, lifecycle stage and name."""

    search = filters.CharFilter(
        method="filter_search", label="Search", help_text="Words of the name or slug."
    )
    business_unit = filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), help_text="Business unit id."
    )
    team = filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="Team id.")
    owner = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the owner (a person)."
    )
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("stage", "stage"),
            ("stage_changed_at", "stage_changed_at"),
            ("created_at", "created_at"),
        ),
        help_text="Sort by name, stage, stage_changed_at or created_at; "
        "prefix with - for descending.",
    )

    class Meta:
        model = Product
        fields = ["search", "business_unit", "team", "owner", "stage"]

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str):
        return _search_terms(queryset, value, "name", "slug")


class PeriodFilterSet(filters.FilterSet):
    """Periods by kind, or those containing a date."""

    on = filters.DateFilter(
        method="filter_on", label="On", help_text="A date (YYYY-MM-DD): the periods containing it."
    )
    ordering = StableOrderingFilter(
        fields=(("start", "start"), ("end", "end"), ("name", "name")),
        help_text="Sort by start, end or name; prefix with - for descending.",
    )

    class Meta:
        model = Period
        fields = ["kind", "on"]

    def filter_on(self, queryset: QuerySet[Period], name: str, value):
        return queryset.filter(start__lte=value, end__gte=value)


class VisionFilterSet(filters.FilterSet):
    """Visions by scope and subject."""

    business_unit = filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), help_text="Business unit id."
    )
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")

    class Meta:
        model = Vision
        fields = ["scope", "business_unit", "product"]


class GoalFilterSet(filters.FilterSet):
    """Goals by period, level, owner, subject, status, visibility and title."""

    search = filters.CharFilter(
        method="filter_search", label="Search", help_text="Words of the title."
    )
    period = filters.ModelChoiceFilter(queryset=Period.objects.all(), help_text="Period id.")
    owner = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the owner (a person)."
    )
    under = filters.ModelChoiceFilter(
        queryset=Person.objects.all(),
        method="filter_under",
        label="Under",
        help_text=GOALS_UNDER_HELP,
    )
    business_unit = filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), help_text="Business unit id."
    )
    team = filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text="Team id.")
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")
    ordering = StableOrderingFilter(
        fields=(
            ("title", "title"),
            ("progress", "progress"),
            ("period__start", "period"),
            ("level", "level"),
            ("status", "status"),
            ("updated_at", "updated_at"),
        ),
        help_text="Sort by title, progress, period, level, status or updated_at; "
        "prefix with - for descending.",
    )

    class Meta:
        model = Goal
        fields = [
            "search",
            "period",
            "level",
            "owner",
            "under",
            "business_unit",
            "team",
            "product",
            "status",
            "visibility",
        ]

    def filter_search(self, queryset: QuerySet[Goal], name: str, value: str):
        return _search_terms(queryset, value, "title")

    @extend_schema_field({"type": "integer", "description": GOALS_UNDER_HELP})
    def filter_under(self, queryset: QuerySet[Goal], name: str, value: Person):
        # One recursive subquery inside the list query, whatever the subtree's size.
        return queryset.filter(owner_id__in=person_subtree_ids(root=value))


class GoalLinkFilterSet(filters.FilterSet):
    """Links by their child goal, their parent goal and their kind."""

    child = _goal_filter("Id of the goal that aligns (a goal you may see).")
    parent = _goal_filter("Id of the goal aligned to (a goal you may see).")

    class Meta:
        model = GoalLink
        fields = ["child", "parent", "kind"]


class KeyResultFilterSet(filters.FilterSet):
    """Key results of a goal."""

    goal = _goal_filter("Id of the goal (a goal you may see).")
    ordering = StableOrderingFilter(
        fields=(("progress", "progress"), ("title", "title"), ("updated_at", "updated_at")),
        help_text="Sort by progress, title or updated_at; prefix with - for descending.",
    )

    class Meta:
        model = KeyResult
        fields = ["goal", "direction", "metric"]


class CheckInFilterSet(filters.FilterSet):
    """Check-ins by key result, goal, author and time."""

    key_result = filters.ModelChoiceFilter(
        queryset=visible_key_results, help_text="Id of the key result (of a goal you may see)."
    )
    goal = _goal_filter(
        "Id of the goal (a goal you may see): check-ins on any of its key results.",
        field_name="key_result__goal",
    )
    author = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the person who checked in."
    )
    since = filters.IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label="Since",
        help_text="Only check-ins at or after this time (ISO 8601).",
    )
    before = filters.IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        label="Before",
        help_text="Only check-ins before this time (ISO 8601).",
    )

    class Meta:
        model = CheckIn
        fields = ["key_result", "goal", "author", "since", "before"]


class RoadmapItemFilterSet(filters.FilterSet):
    """Roadmap items by product, horizon, status, owner, target period, goal and title."""

    search = filters.CharFilter(
        method="filter_search", label="Search", help_text="Words of the title or description."
    )
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")
    owner = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the owner (a person)."
    )
    target_period = filters.ModelChoiceFilter(
        queryset=Period.objects.all(), help_text="Id of the target period."
    )
    goal = _goal_filter("Id of a goal the item serves (a goal you may see).", field_name="goals")
    ordering = StableOrderingFilter(
        fields=(
            ("title", "title"),
            ("horizon", "horizon"),
            ("status", "status"),
            ("target_period__start", "target_period"),
            ("updated_at", "updated_at"),
        ),
        help_text="Sort by title, horizon, status, target_period or updated_at; "
        "prefix with - for descending.",
    )

    class Meta:
        model = RoadmapItem
        fields = ["search", "product", "horizon", "status", "owner", "target_period", "goal"]

    def filter_search(self, queryset: QuerySet[RoadmapItem], name: str, value: str):
        return _search_terms(queryset, value, "title", "description")
