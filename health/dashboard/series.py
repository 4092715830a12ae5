"""Key-metric series and breakdowns, combined by the database from roll-ups."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import ExpressionWrapper, F, Lookup, Max, Min, QuerySet, Sum, Value, Window
from django.db.models.functions import NullIf, RowNumber

from roadmaps.models import Metric, MetricRollup, RollupGrain, RollupScope
from roadmaps.rollups import bucket_end, bucket_start

from .types import BREAKDOWN_TOP, VALUE_FIELD

# --- Calendar helpers ----------------------------------------------------------------


def grain_starts(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    """Every bucket start from the one holding ``start`` to the one holding ``end``
    (the roll-up's own calendar)."""
    starts = []
    current = bucket_start(grain, start)
    while current <= end:
        starts.append(current)
        current = bucket_end(grain, current)
    return starts


def parse_grain(value: str | None) -> str:
    return value if value in RollupGrain.values else RollupGrain.WEEK


# --- Ids as one array ------------------------------------------------------------------


class InIds(Lookup):
    """``field IN ids`` sent to PostgreSQL as one array (``= ANY(%s)``).

    A subtree's products run to thousands of ids: as many placeholders, each compiled by
    Django and bound by the driver, cost more than the query they filter. One array
    parameter costs the same for three ids or three thousand. Elsewhere, a plain IN.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def __init__(self, lhs, ids):
        super().__init__(lhs, Value(sorted({int(i) for i in ids})))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = self.rhs.value
        if not ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, ids]
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]


def in_ids(field: str, ids) -> InIds:
    """A filter: ``field`` is one of ``ids`` (see :class:`InIds`)."""
    return InIds(F(field), ids)


# --- Roll-ups combined by the database --------------------------------------------------
#
# Every read leads with the metric, as the roll-ups' unique key does (metric, scope,
# scope_id, grain, period_start), and groups rows in one pass: sums, counts, minima and
# maxima with GROUP BY; the "last" rule with ROW_NUMBER() over the last-rule metrics only
# (never a correlated subquery per row). For a leader whose subtree holds every product
# the company-scope rows (one per metric and bucket) already combine them all.


def _product_rollups(
    *,
    metric_ids: list[int],
    product_ids: list[int] | None,
    grain: str,
    first: dt.date,
    last: dt.date,
) -> QuerySet[MetricRollup]:
    """The product-scope roll-ups of ``product_ids`` (of every product when None)."""
    rows = MetricRollup.objects.filter(
        metric_id__in=metric_ids,
        scope=RollupScope.PRODUCT,
        grain=grain,
        period_start__gte=first,
        period_start__lte=last,
    ).order_by()
    return rows if product_ids is None else rows.filter(in_ids("scope_id", product_ids))


def _grouped(rows: QuerySet[MetricRollup], *group: str) -> QuerySet:
    """``rows`` grouped by ``group`` with every aggregate a rule may pick."""
    return rows.values(*group).annotate(
        total=Sum("value"),
        # Every reading counts once: the rows' sums of readings over their counts.
        weighted=ExpressionWrapper(
            Sum("observation_sum") / NullIf(Sum("observation_count"), 0),
            output_field=VALUE_FIELD,
        ),
        low=Min("value"),
        high=Max("value"),
        observations=Sum("observation_count"),
    )


def _latest_rows(rows: QuerySet[MetricRollup], *, partition: list[str], order: list) -> QuerySet:
    """Per group of ``partition``: the value of the row with the latest reading, and the
    group's readings (a window, so each row is read once)."""
    return (
        rows.annotate(
            position=Window(
                RowNumber(), partition_by=[F(name) for name in partition], order_by=order
            ),
            observations=Window(Sum("observation_count"), partition_by=[F(n) for n in partition]),
        )
        .filter(position=1)
        .values(*partition, "value", "observations")
    )


def _pick(aggregation: str, row: dict) -> Decimal | None:
    return {
        Metric.Aggregation.SUM: row["total"],
        Metric.Aggregation.AVERAGE: row["weighted"],
        Metric.Aggregation.MIN: row["low"],
        Metric.Aggregation.MAX: row["high"],
    }[aggregation]


def _split(metrics: list[Metric]) -> tuple[dict[int, str], list[int]]:
    """The metrics combined by GROUP BY (id → rule), and the ids of the last-rule ones."""
    grouped = {m.pk: m.aggregation for m in metrics if m.aggregation != Metric.Aggregation.LAST}
    last = [m.pk for m in metrics if m.aggregation == Metric.Aggregation.LAST]
    return grouped, last


def company_series(
    *, metric_ids: list[int], grain: str, first: dt.date, last: dt.date
) -> dict[int, dict[dt.date, tuple[Decimal | None, int]]]:
    """Per metric and bucket: the company-scope roll-up, which combines every product
    (one query). An average is its sum of readings over their count, as for products."""
    if not metric_ids:
        return {}
    rows = (
        MetricRollup.objects.filter(
            metric_id__in=metric_ids,
            scope=RollupScope.COMPANY,
            scope_id=0,
            grain=grain,
            period_start__gte=first,
            period_start__lte=last,
        )
        .order_by()
        .values_list(
            "metric_id",
            "metric__aggregation",
            "period_start",
            "value",
            ExpressionWrapper(
                F("observation_sum") / NullIf(F("observation_count"), 0),
                output_field=VALUE_FIELD,
            ),
            "observation_count",
        )
    )
    series: dict[int, dict[dt.date, tuple[Decimal | None, int]]] = defaultdict(dict)
    for metric_id, aggregation, start, value, weighted, observations in rows:
        combined = weighted if aggregation == Metric.Aggregation.AVERAGE else value
        series[metric_id][start] = (combined, observations)
    return series


def metric_series(
    *, metrics: list[Metric], product_ids: list[int], grain: str, first: dt.date, last: dt.date
) -> dict[int, dict[dt.date, tuple[Decimal | None, int]]]:
    """Per metric and bucket: the products' roll-ups combined by the metric's rule (one
    GROUP BY query, and one window query when a metric takes the last reading).

    Returns ``{metric_id: {period_start: (value, observation_count)}}``.
    """
    if not metrics or not product_ids:
        return {}
    grouped, last_ids = _split(metrics)
    series: dict[int, dict[dt.date, tuple[Decimal | None, int]]] = defaultdict(dict)
    if grouped:
        rows = _product_rollups(
            metric_ids=list(grouped), product_ids=product_ids, grain=grain, first=first, last=last
        )
        for row in _grouped(rows, "metric_id", "period_start"):
            series[row["metric_id"]][row["period_start"]] = (
                _pick(grouped[row["metric_id"]], row),
                row["observations"],
            )
    if last_ids:
        rows = _product_rollups(
            metric_ids=last_ids, product_ids=product_ids, grain=grain, first=first, last=last
        )
        latest = _latest_rows(
            rows,
            partition=["metric_id", "period_start"],
            order=[F("last_observed_at").desc(), F("scope_id").desc()],
        )
        for row in latest:
            series[row["metric_id"]][row["period_start"]] = (row["value"], row["observations"])
    return series


def metric_breakdown(
    *,
    metrics: list[Metric],
    product_ids: list[int] | None,
    grain: str,
    first: dt.date,
    last: dt.date,
    top: int = BREAKDOWN_TOP,
) -> dict[int, list[tuple[int, Decimal | None]]]:
    """Per metric: its best ``top`` products over the whole period (one GROUP BY query,
    and one window query when a metric takes the last reading); among every product
    when ``product_ids`` is None (a subtree that owns them all: no list to match).

    The database combines each product's buckets in the period by the metric's rule (one
    row per product and metric); they are ranked best first by the metric's direction.
    """
    if not metrics or product_ids == []:
        return {}
    grouped, last_ids = _split(metrics)
    per_metric: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    if grouped:
        rows = _product_rollups(
            metric_ids=list(grouped), product_ids=product_ids, grain=grain, first=first, last=last
        )
        for row in _grouped(rows, "metric_id", "scope_id"):
            value = _pick(grouped[row["metric_id"]], row)
            if value is not None:
                per_metric[row["metric_id"]].append((row["scope_id"], value))
    if last_ids:
        rows = _product_rollups(
            metric_ids=last_ids, product_ids=product_ids, grain=grain, first=first, last=last
        )
        latest = _latest_rows(
            rows,
            partition=["metric_id", "scope_id"],
            order=[F("last_observed_at").desc(), F("period_start").desc()],
        )
        for row in latest:
            per_metric[row["metric_id"]].append((row["scope_id"], row["value"]))
    lower_is_better = {m.pk for m in metrics if m.direction == Metric.Direction.LOWER}
    result: dict[int, list[tuple[int, Decimal | None]]] = {}
    for metric_id, items in per_metric.items():
        if metric_id in lower_is_better:
            items.sort(key=lambda item: (item[1], item[0]))
        else:
            items.sort(key=lambda item: (-item[1], item[0]))
        result[metric_id] = items[:top]
    return result


def product_latest_values(
    *, metric_ids: list[int], product_ids: list[int], grain: str, first: dt.date, last: dt.date
) -> dict[tuple[int, int], list[Decimal]]:
    """Per (product, metric): its latest bucket's value and the one before (one query)."""
    if not metric_ids or not product_ids:
        return {}
    rows = (
        _product_rollups(
            metric_ids=metric_ids, product_ids=product_ids, grain=grain, first=first, last=last
        )
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("metric_id"), F("scope_id")],
                order_by=F("period_start").desc(),
            )
        )
        .filter(recency__lte=2)
        .values_list("scope_id", "metric_id", "recency", "value")
    )
    values: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for product_id, metric_id, _recency, value in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        values[(product_id, metric_id)].append(value)
    return values
