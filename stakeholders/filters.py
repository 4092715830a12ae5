"""Filters of the stakeholder, alignment, review, decision and notification lists, shared
by the API and the pages.

As in ``roles.filters`` and ``roadmaps.filters``: one FilterSet per list drives the REST
API (``DjangoFilterBackend``) and any HTML list, e.g.
``AlignmentFilterSet(request.GET, queryset=alignment_list(user=request.user),
request=request).qs``, with ``search`` and ``ordering`` under the same query parameters.
A bad value (an unknown status, an influence outside 1–5, an id that does not exist)
makes the FilterSet invalid: the API answers 400 on that parameter.

A filter that names a goal only accepts one the caller may see, so a filter never
confirms that a hidden goal is there.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from roadmaps.filters import visible_goals
from roadmaps.models import Product
from roles.filters import StableOrderingFilter
from roles.models import Person
from roles.selectors import person_subtree_ids

from .models import Alignment, Decision, Notification, Review, Stakeholder

ALIGNMENTS_UNDER_HELP = (
    "Id of a person: alignments on the products and goals owned by them or by anyone "
    "who reports to them."
)
REVIEWS_UNDER_HELP = "Id of a person: reviews owned by them or by anyone who reports to them."


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


def _person_filter(help_text: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(queryset=Person.objects.all(), help_text=help_text, **kwargs)


def _level_filter(field_name: str, help_text: str) -> filters.NumberFilter:
    return filters.NumberFilter(
        field_name=field_name,
        lookup_expr="gte",
        min_value=1,
        max_value=5,
        decimal_places=0,
        help_text=help_text,
    )


class StakeholderFilterSet(filters.FilterSet):
    """Stakeholders by function, quadrant, influence, interest, person and name."""

    search = filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Words of the name, organisation, e-mail or the person's full name.",
    )
    influence_min = _level_filter("influence", "Only influence at least this (1–5).")
    interest_min = _level_filter("interest", "Only interest at least this (1–5).")
    quadrant = filters.ChoiceFilter(
        choices=Stakeholder.Quadrant.choices,
        help_text="Quadrant of the influence × interest grid (derived from the two).",
    )
    person = _person_filter("Id of the person the stakeholder is.")
    ordering = StableOrderingFilter(
        fields=(
            ("sort_name", "name"),
            ("influence", "influence"),
            ("interest", "interest"),
            ("quadrant", "quadrant"),
            ("updated_at", "updated_at"),
        ),
        help_text="Sort by name, influence, interest, quadrant or updated_at; "
        "prefix with - for descending.",
    )

    class Meta:
        model = Stakeholder
        fields = ["search", "function", "quadrant", "influence_min", "interest_min", "person"]

    def filter_search(self, queryset: QuerySet[Stakeholder], name: str, value: str):
        return _search_terms(queryset, value, "name", "organisation", "email", "person__full_name")


class AlignmentFilterSet(filters.FilterSet):
    """Alignments by stakeholder, subject, status, overdue touchpoint, or under a leader."""

    stakeholder = filters.ModelChoiceFilter(
        queryset=Stakeholder.objects.all(), help_text="Stakeholder id."
    )
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")
    goal = _goal_filter("Id of the goal (a goal you may see).")
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue",
        help_text="true: the next touchpoint was due before today; false: it is not.",
    )
    under = _person_filter(ALIGNMENTS_UNDER_HELP, method="filter_under", label="Under")
    ordering = StableOrderingFilter(
        fields=(
            ("next_touchpoint_due", "next_touchpoint_due"),
            ("last_confirmed_at", "last_confirmed_at"),
            ("status", "status"),
            ("updated_at", "updated_at"),
        ),
        help_text="Sort by next_touchpoint_due, last_confirmed_at, status or updated_at; "
        "prefix with - for descending.",
    )

    class Meta:
        model = Alignment
        fields = ["stakeholder", "product", "goal", "status", "cadence", "overdue", "under"]

    def filter_overdue(self, queryset: QuerySet[Alignment], name: str, value: bool):
        late = Q(next_touchpoint_due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    @extend_schema_field({"type": "integer", "description": ALIGNMENTS_UNDER_HELP})
    def filter_under(self, queryset: QuerySet[Alignment], name: str, value: Person):
        # One recursive subquery inside the list query, whatever the subtree's size.
        owners = person_subtree_ids(root=value)
        return queryset.filter(Q(product__owner_id__in=owners) | Q(goal__owner_id__in=owners))


class ReviewFilterSet(filters.FilterSet):
    """Reviews by owner, kind, status, due time, subject, words, or under a leader."""

    search = filters.CharFilter(
        method="filter_search", label="Search", help_text="Words of the title or outcome."
    )
    owner = _person_filter("Id of the owner.")
    due_after = filters.IsoDateTimeFilter(
        field_name="due_at",
        lookup_expr="gte",
        label="Due after",
        help_text="Only reviews due at or after this time (ISO 8601).",
    )
    due_before = filters.IsoDateTimeFilter(
        field_name="due_at",
        lookup_expr="lt",
        label="Due before",
        help_text="Only reviews due before this time (ISO 8601).",
    )
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")
    goal = _goal_filter("Id of the goal (a goal you may see).")
    person = _person_filter("Id of the person a one-to-one or career review is about.")
    participant = _person_filter("Id of a participant.", field_name="participants")
    under = _person_filter(REVIEWS_UNDER_HELP, method="filter_under", label="Under")
    ordering = StableOrderingFilter(
        fields=(("due_at", "due_at"), ("status", "status"), ("updated_at", "updated_at")),
        help_text="Sort by due_at, status or updated_at; prefix with - for descending.",
    )

    class Meta:
        model = Review
        fields = [
            "search",
            "owner",
            "kind",
            "status",
            "due_after",
            "due_before",
            "product",
            "goal",
            "person",
            "participant",
            "under",
        ]

    def filter_search(self, queryset: QuerySet[Review], name: str, value: str):
        return _search_terms(queryset, value, "title", "outcome")

    @extend_schema_field({"type": "integer", "description": REVIEWS_UNDER_HELP})
    def filter_under(self, queryset: QuerySet[Review], name: str, value: Person):
        return queryset.filter(owner_id__in=person_subtree_ids(root=value))


class DecisionFilterSet(filters.FilterSet):
    """Decisions by subject, who decided, date and words."""

    search = filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Words of the title, context, decision or rationale.",
    )
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")
    goal = _goal_filter("Id of the goal (a goal you may see).")
    decided_by = _person_filter("Id of the person who decided.")
    decided_after = filters.DateFilter(
        field_name="decided_on",
        lookup_expr="gte",
        label="Decided after",
        help_text="Only decisions taken on or after this date (YYYY-MM-DD).",
    )
    decided_before = filters.DateFilter(
        field_name="decided_on",
        lookup_expr="lte",
        label="Decided before",
        help_text="Only decisions taken on or before this date (YYYY-MM-DD).",
    )
    ordering = StableOrderingFilter(
        fields=(("decided_on", "decided_on"), ("title", "title"), ("updated_at", "updated_at")),
        help_text="Sort by decided_on, title or updated_at; prefix with - for descending.",
    )

    class Meta:
        model = Decision
        fields = ["search", "product", "goal", "decided_by", "decided_after", "decided_before"]

    def filter_search(self, queryset: QuerySet[Decision], name: str, value: str):
        return _search_terms(queryset, value, "title", "context", "decision", "rationale")


class NotificationFilterSet(filters.FilterSet):
    """The caller's notifications by channel, kind and whether they are read."""

    unread = filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label="Unread",
        help_text="true: only unread notifications; false: only read ones.",
    )
    kind = filters.CharFilter(help_text="What it is about, e.g. review_due, review_overdue.")

    class Meta:
        model = Notification
        fields = ["channel", "unread", "kind"]
