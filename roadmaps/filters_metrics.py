"""Filters of the metric lists: definitions, readings and roll-ups.

Shared by the API and any HTML list, like ``roadmaps.filters``. A metric is named by
its key or its id and a product by its slug or its id, as in uploads; such a filter
is a plain WHERE clause (no lookup query), and a name that matches nothing answers an
empty list.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet

from roles.filters import StableOrderingFilter
from roles.models import Person

from .filters import _search_terms
from .metric_selectors import metric_filter_q, product_filter_q
from .models import Metric, MetricObservation, MetricRollup, Product, RollupGrain, RollupScope

METRIC_HELP = "The metric's key or id."


class MetricFilterSet(filters.FilterSet):
    """Metrics by key, product, owner, aggregation rule and words of the name."""

    search = filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Words of the key, name, unit or description.",
    )
    key = filters.CharFilter(help_text="The metric's key, exactly.")
    product = filters.ModelChoiceFilter(queryset=Product.objects.all(), help_text="Product id.")
    owner = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the owner (a person)."
    )
    aggregation = filters.ChoiceFilter(
        choices=Metric.Aggregation.choices, help_text="How readings combine."
    )
    ordering = StableOrderingFilter(
        fields=(("key", "key"), ("name", "name"), ("created_at", "created_at")),
        help_text="Sort by key, name or created_at; prefix with - for descending.",
    )

    class Meta:
        model = Metric
        fields = ["search", "key", "product", "owner", "aggregation", "direction"]

    def filter_search(self, queryset: QuerySet[Metric], name: str, value: str):
        return _search_terms(queryset, value, "key", "name", "unit", "description")


class MetricObservationFilterSet(filters.FilterSet):
    """Readings by metric, product, time range and source."""

    metric = filters.CharFilter(method="filter_metric", help_text=METRIC_HELP)
    product = filters.CharFilter(method="filter_product", help_text="The product's slug or id.")
    from_ = filters.IsoDateTimeFilter(
        field_name="timestamp",
        lookup_expr="gte",
        label="From",
        help_text="Readings at or after this time (ISO 8601).",
    )
    to = filters.IsoDateTimeFilter(
        field_name="timestamp",
        lookup_expr="lt",
        help_text="Readings before this time (ISO 8601).",
    )
    source = filters.CharFilter(help_text="The source, exactly (empty: readings without one).")
    ordering = StableOrderingFilter(
        fields=(("timestamp", "timestamp"),),
        help_text="Sort by timestamp (oldest first) or -timestamp (newest first, the default).",
    )

    class Meta:
        model = MetricObservation
        fields = ["metric", "product", "source"]

    def filter_metric(self, queryset: QuerySet, name: str, value: str):
        return queryset.filter(metric_filter_q(value))

    def filter_product(self, queryset: QuerySet, name: str, value: str):
        return queryset.filter(product_filter_q(value))


class MetricRollupFilterSet(filters.FilterSet):
    """Roll-up rows by metric, scope, grain and period."""

    metric = filters.CharFilter(method="filter_metric", help_text=METRIC_HELP)
    scope = filters.ChoiceFilter(
        choices=RollupScope.choices, help_text="product, team, business_unit or company."
    )
    scope_id = filters.NumberFilter(
        help_text="Id of the product, team or business unit (0 for the company)."
    )
    grain = filters.ChoiceFilter(
        choices=RollupGrain.choices, help_text="day, week, month or quarter."
    )
    from_ = filters.DateFilter(
        field_name="period_start",
        lookup_expr="gte",
        label="From",
        help_text="Periods starting on or after this date (YYYY-MM-DD).",
    )
    to = filters.DateFilter(
        field_name="period_start",
        lookup_expr="lte",
        help_text="Periods starting on or before this date (YYYY-MM-DD).",
    )
    ordering = StableOrderingFilter(
        fields=(("period_start", "period_start"),),
        help_text="Sort by period_start; prefix with - for the newest first.",
    )

    class Meta:
        model = MetricRollup
        fields = ["metric", "scope", "scope_id", "grain"]

    def filter_metric(self, queryset: QuerySet, name: str, value: str):
        return queryset.filter(metric_filter_q(value))


# ``from`` is a Python keyword: the filters are declared as ``from_`` and published
# under the query parameter ``from``.
for _filterset in (MetricObservationFilterSet, MetricRollupFilterSet):
    _filterset.base_filters["from"] = _filterset.base_filters.pop("from_")
