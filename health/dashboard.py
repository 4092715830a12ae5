"""The leader dashboard: what a leader's part of the organisation achieves and where its
alignment breaks, read in a fixed number of queries whatever the subtree's size.

Metric numbers come only from pre-aggregated :class:`~roadmaps.models.MetricRollup`
rows at product scope (never from raw observations), combined by the database per
metric and period following each metric's rule: a sum adds up, an average is the sum of
the readings over their count (never an average of averages), min and max take the extreme, and
a "last" metric takes the value of the row whose latest reading is the most recent
(never summed; on a tie, the higher product id's, as the roll-up decides). When the
leader's subtree owns every product, the series are the company-scope rows, which the
roll-up combined by the same rules. Goals are those the subtree owns *and* the viewer may see
(``goal_visibility_q``): a private goal the viewer may not see is neither counted nor
named. Seat costs and budgets are never read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, RowNumber

from health.models import FindingKind
from roadmaps.models import (
    STAGE_ORDER,
    Goal,
    KeyResult,
    LifecycleStage,
    Metric,
    MetricRollup,
    Period,
    Product,
    RollupGrain,
    RollupScope,
    StagePolicy,
)
from roadmaps.selectors import goal_visibility_q
from roles.models import Person, Position, Role
from roles.selectors import person_subtree, person_subtree_ids, user_is_hr_admin

# At most this many key metrics are charted (the busiest first).
KEY_METRICS_MAX = 6
# Products named in each metric's breakdown.
BREAKDOWN_TOP = 8
# Rows of the products table per page.
PRODUCTS_PAGE_SIZE = 25
# The key metrics each product row reports on.
PRODUCT_TABLE_METRICS = KEY_METRICS_MAX
# Rows of the findings table per page.
FINDINGS_PAGE_SIZE = 20
# Goal statuses the headline counts.
BEHIND = (Goal.Status.AT_RISK, Goal.Status.OFF_TRACK)

VALUE_FIELD = DecimalField(max_digits=24, decimal_places=4)

PRODUCT_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "stage": ("stage_rank", "name", "id"),
    "-stage": ("-stage_rank", "name", "id"),
    "owner": ("owner__full_name", "name", "id"),
    "-owner": ("-owner__full_name", "name", "id"),
    "unit": ("business_unit__name", "name", "id"),
    "-unit": ("-business_unit__name", "name", "id"),
}
UNIT_SORTS = ("name", "-name", "progress", "-progress", "goals", "-goals", "behind", "-behind")
FINDING_SORTS = ("kind", "-kind", "subject", "-subject", "owner", "-owner")


# --- What the dashboard returns ----------------------------------------------------


@dataclass
class StageCount:
    stage: str
    label: str
    count: int


@dataclass
class Headline:
    people: int
    product_roles: int
    open_seats: int
    products: int
    products_by_stage: list[StageCount]
    goals: int
    goals_on_track: int
    goals_at_risk: int
    goals_off_track: int
    goals_average_progress: Decimal | None
    health_score: int | None
    health_trend: list[tuple[dt.date, int]]


@dataclass
class SeriesPoint:
    period_start: dt.date
    value: Decimal | None
    observations: int


@dataclass
class ProductValue:
    product_id: int
    name: str
    value: Decimal | None


@dataclass
class KeyMetric:
    """A metric over the period for the whole subtree, and its top products."""

    id: int
    key: str
    name: str
    unit: str
    aggregation: str
    direction: str
    expected: bool
    series: list[SeriesPoint]
    breakdown: list[ProductValue]

    @property
    def aggregation_label(self) -> str:
        return Metric.Aggregation(self.aggregation).label

    @property
    def has_data(self) -> bool:
        return any(point.value is not None for point in self.series)

    @property
    def latest(self) -> SeriesPoint | None:
        filled = [p for p in self.series if p.value is not None]
        return filled[-1] if filled else None

    @property
    def previous(self) -> SeriesPoint | None:
        filled = [p for p in self.series if p.value is not None]
        return filled[-2] if len(filled) > 1 else None

    @property
    def change(self) -> Decimal | None:
        latest, previous = self.latest, self.previous
        if latest is None or previous is None:
            return None
        return latest.value - previous.value

    @property
    def improving(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == (self.direction == Metric.Direction.HIGHER)


@dataclass
class MetricCell:
    """A product's latest value of a key metric, against a key result's target or the
    period before."""

    metric_id: int
    metric_name: str
    unit: str
    direction: str
    latest: Decimal | None
    compare_to: Decimal | None
    compare_kind: str  # "target", "previous" or ""

    @property
    def good(self) -> bool | None:
        if self.latest is None or self.compare_to is None or self.latest == self.compare_to:
            return None if self.compare_kind != "target" or self.latest is None else True
        higher = self.direction == Metric.Direction.HIGHER
        return (self.latest > self.compare_to) == higher


@dataclass
class ProductRow:
    id: int
    name: str
    stage: str
    stage_label: str
    owner_id: int | None
    owner_name: str
    unit_name: str
    metrics: list[MetricCell]

    @property
    def has_values(self) -> bool:
        return any(cell.latest is not None for cell in self.metrics)


@dataclass
class ProductTable:
    rows: list[ProductRow]
    total: int
    page: int
    pages: int
    sort: str
    stage: str
    search: str
    metrics: list[KeyMetric]


@dataclass
class UnitRow:
    id: int | None
    name: str
    goals: int
    average_progress: Decimal | None
    on_track: int
    at_risk: int
    off_track: int
    # The unit's goals' progress added up, so the headline's average weighs every goal.
    progress_sum: Decimal = Decimal(0)

    @property
    def behind(self) -> int:
        return self.at_risk + self.off_track


@dataclass
class FindingRow:
    kind: str
    label: str
    subject: str
    url: str
    detail: str
    owner: str


@dataclass
class Dashboard:
    leader: Person
    period: Period
    grain: str
    headline: Headline
    key_metrics: list[KeyMetric]
    units: list[UnitRow]
    stages: list[StageCount]
    products: ProductTable
    findings: list[FindingRow]
    health_breakdown: list = field(default_factory=list)
    # Failing rows of the findings' kind (every kind when none is picked), and the page
    # of ``findings`` among them (``findings`` holds them all when not paged).
    findings_total: int = 0
    findings_page: int = 1
    findings_pages: int = 1


# --- Calendar helpers ----------------------------------------------------------------


def grain_floor(day: dt.date, grain: str) -> dt.date:
    """The first day of the ``grain`` bucket holding ``day`` (weeks start on Monday)."""
    if grain == RollupGrain.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if grain == RollupGrain.MONTH:
        return day.replace(day=1)
    if grain == RollupGrain.QUARTER:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day


def grain_starts(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    """Every bucket start from the one holding ``start`` to the one holding ``end``."""
    starts = []
    current = grain_floor(start, grain)
    while current <= end:
        starts.append(current)
        if grain == RollupGrain.DAY:
            current += dt.timedelta(days=1)
        elif grain == RollupGrain.WEEK:
            current += dt.timedelta(days=7)
        else:
            months = 1 if grain == RollupGrain.MONTH else 3
            month = current.month - 1 + months
            current = dt.date(current.year + month // 12, month % 12 + 1, 1)
    return starts


def parse_grain(value: str | None) -> str:
    return value if value in RollupGrain.values else RollupGrain.WEEK


# --- Roll-ups combined by the database --------------------------------------------------
#
# Every read leads with the metric, as the roll-ups' unique key does (metric, scope,
# scope_id, grain, period_start), and groups rows in one pass: sums, counts, minima and
# maxima with GROUP BY; the "last" rule with ROW_NUMBER() over the last-rule metrics only
# (never a correlated subquery per row). For a leader whose subtree holds every product
# the company-scope rows (one per metric and bucket) already combine them all.


def _product_rollups(
    *, metric_ids: list[int], product_ids: list[int], grain: str, first: dt.date, last: dt.date
) -> QuerySet[MetricRollup]:
    return MetricRollup.objects.filter(
        metric_id__in=metric_ids,
        scope=RollupScope.PRODUCT,
        scope_id__in=product_ids,
        grain=grain,
        period_start__gte=first,
        period_start__lte=last,
    ).order_by()


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
    product_ids: list[int],
    grain: str,
    first: dt.date,
    last: dt.date,
    top: int = BREAKDOWN_TOP,
) -> dict[int, list[tuple[int, Decimal | None]]]:
    """Per metric: its best ``top`` products over the whole period (one GROUP BY query,
    and one window query when a metric takes the last reading).

    The database combines each product's buckets in the period by the metric's rule (one
    row per product and metric); they are ranked best first by the metric's direction.
    """
    if not metrics or not product_ids:
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


# --- The pieces of the dashboard --------------------------------------------------------


def _subtree_people(*, leader: Person) -> dict:
    """Active people and people in product roles under ``leader`` (one query)."""
    return (
        person_subtree(root=leader)
        .filter(is_active=True)
        .aggregate(
            people=Count("id"),
            product_roles=Count("id", filter=Q(role__family=Role.Family.PRODUCT)),
        )
    )


def _open_seats(*, leader: Person) -> int:
    """Open seats reporting to anyone in the subtree (one query; costs never loaded)."""
    return Position.objects.filter(
        status=Position.Status.OPEN, reports_to__in=person_subtree_ids(root=leader)
    ).count()


def subtree_products(*, leader: Person) -> list[tuple[int, str]]:
    """``(id, stage)`` of every product someone in the subtree owns (one query)."""
    return list(
        Product.objects.filter(owner__in=person_subtree_ids(root=leader))
        .order_by("id")
        .values_list("id", "stage")
    )


def _stage_counts(products: list[tuple[int, str]]) -> list[StageCount]:
    counts: dict[str, int] = defaultdict(int)
    for _, stage in products:
        counts[stage] += 1
    return [StageCount(value, label, counts[value]) for value, label in LifecycleStage.choices]


def _goal_visibility_q(*, viewer_user, leader: Person) -> Q:
    """``goal_visibility_q`` for the viewer; on the leader's own dashboard, with their
    subtree as a subquery (the same people) instead of a list of every id in it."""
    own = leader.user_id is not None and leader.user_id == viewer_user.pk
    if own and not user_is_hr_admin(user=viewer_user):
        return Q(visibility=Goal.Visibility.PUBLIC) | Q(owner__in=person_subtree_ids(root=leader))
    return goal_visibility_q(user=viewer_user)


def _visible_subtree_goals(*, viewer_user, leader: Person, period: Period) -> QuerySet[Goal]:
    """The goals the subtree owns in ``period`` that the viewer may see. The leader sees
    every goal of their own subtree (they are in each owner's management chain), so
    their own dashboard needs no visibility filter (nor its list of ids)."""
    own = leader.user_id is not None and leader.user_id == viewer_user.pk
    return Goal.objects.filter(
        Q() if own else goal_visibility_q(user=viewer_user),
        period=period,
        owner__in=person_subtree_ids(root=leader),
    ).order_by()


def _goal_counts(units: list[UnitRow]) -> dict:
    """The headline's goal counts: the units' rows added up (each goal is in one unit)."""
    total = sum(u.goals for u in units)
    return {
        "total": total,
        "on_track": sum(u.on_track for u in units),
        "at_risk": sum(u.at_risk for u in units),
        "off_track": sum(u.off_track for u in units),
        "average": sum((u.progress_sum for u in units), Decimal(0)) / total if total else None,
    }


def dashboard_units(
    *, viewer_user, leader: Person, period: Period, sort: str = "name"
) -> list[UnitRow]:
    """Goal progress per business unit: the goals the subtree owns in ``period`` that the
    viewer may see, each counted in its own unit, else its owner's (one query)."""
    rows = (
        _visible_subtree_goals(viewer_user=viewer_user, leader=leader, period=period)
        .values(
            unit_id=Coalesce("business_unit_id", "owner__business_unit_id"),
            unit_name=Coalesce("business_unit__name", "owner__business_unit__name"),
        )
        .annotate(
            goals=Count("id"),
            average=Avg("progress"),
            on_track=Count("id", filter=Q(status=Goal.Status.ON_TRACK)),
            at_risk=Count("id", filter=Q(status=Goal.Status.AT_RISK)),
            off_track=Count("id", filter=Q(status=Goal.Status.OFF_TRACK)),
            progress_sum=Sum("progress"),
        )
    )
    units = [
        UnitRow(
            id=row["unit_id"],
            name=row["unit_name"] or "No business unit",
            goals=row["goals"],
            average_progress=_round(row["average"]),
            on_track=row["on_track"],
            at_risk=row["at_risk"],
            off_track=row["off_track"],
            progress_sum=Decimal(row["progress_sum"] or 0),
        )
        for row in rows
    ]
    return sort_units(units, sort)


def sort_units(units: list[UnitRow], sort: str) -> list[UnitRow]:
    sort = sort if sort in UNIT_SORTS else "name"
    key = sort.lstrip("-")
    getters = {
        "name": lambda u: (u.name.lower(),),
        "progress": lambda u: (u.average_progress or Decimal(0), u.name.lower()),
        "goals": lambda u: (u.goals, u.name.lower()),
        "behind": lambda u: (u.behind, u.name.lower()),
    }
    return sorted(units, key=getters[key], reverse=sort.startswith("-"))


def _round(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.1"))


def _key_metrics(
    *, products: list[tuple[int, str]], grain: str, first: dt.date, last: dt.date
) -> tuple[list[Metric], set[str], bool]:
    """The metrics charted (two queries): those the products' stages expect and those
    with roll-ups for the products in the period, the ones with data first; and whether
    the products are every product there is (counted in the same query), so that the
    company-scope roll-ups hold their numbers."""
    stages = {stage for _, stage in products}
    expected: set[str] = set()
    for keys in StagePolicy.objects.filter(stage__in=stages).values_list(
        "expected_metric_keys", flat=True
    ):
        expected.update(k for k in keys or [] if isinstance(k, str))
    product_ids = [pid for pid, _ in products]
    if not product_ids:
        return [], expected, False
    has_rollups = Exists(
        MetricRollup.objects.filter(
            metric_id=OuterRef("pk"),
            scope=RollupScope.PRODUCT,
            scope_id__in=product_ids,
            grain=grain,
            period_start__gte=first,
            period_start__lte=last,
        )
    )
    products_total = RawSQL(
        f"SELECT COUNT(*) FROM {connection.ops.quote_name(Product._meta.db_table)}", []
    )
    metrics = list(
        Metric.objects.annotate(
            has_data=has_rollups,
            is_expected=Case(
                When(key__in=sorted(expected), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            products_total=products_total,
        )
        .filter(Q(has_data=True) | Q(is_expected=1))
        .order_by("-has_data", "-is_expected", "key")[:KEY_METRICS_MAX]
    )
    # The ids are distinct, so as many as there are products means all of them.
    every_product = bool(metrics) and metrics[0].products_total == len(set(product_ids))
    return metrics, expected, every_product


def dashboard_key_metrics(
    *, products: list[tuple[int, str]], period: Period, grain: str
) -> list[KeyMetric]:
    """The key metrics of the subtree's products over ``period``: the metrics (two
    queries), the series (the company-scope roll-ups when the subtree holds every
    product: one query; else the products': one, plus one when a metric takes the last
    reading), the breakdown (one, plus one for last-reading metrics) and the names of
    the products it ranks (one)."""
    if not products:
        return []
    starts = grain_starts(period.start, period.end, grain)
    first, last = starts[0], starts[-1]
    metrics, expected, every_product = _key_metrics(
        products=products, grain=grain, first=first, last=last
    )
    product_ids = [pid for pid, _ in products]
    if every_product:
        series = company_series(
            metric_ids=[m.pk for m in metrics], grain=grain, first=first, last=last
        )
    else:
        series = metric_series(
            metrics=metrics, product_ids=product_ids, grain=grain, first=first, last=last
        )
    breakdown = metric_breakdown(
        metrics=metrics, product_ids=product_ids, grain=grain, first=first, last=last
    )
    named = {pid for items in breakdown.values() for pid, _ in items}
    names = dict(Product.objects.filter(pk__in=named).values_list("id", "name")) if named else {}
    result = []
    for metric in metrics:
        points = series.get(metric.pk, {})
        result.append(
            KeyMetric(
                id=metric.pk,
                key=metric.key,
                name=metric.name,
                unit=metric.unit,
                aggregation=metric.aggregation,
                direction=metric.direction,
                expected=metric.key in expected,
                series=[SeriesPoint(start, *points.get(start, (None, 0))) for start in starts],
                breakdown=[
                    ProductValue(pid, names.get(pid, f"#{pid}"), value)
                    for pid, value in breakdown.get(metric.pk, [])
                ],
            )
        )
    return result


def dashboard_products(
    *,
    viewer_user,
    leader: Person,
    period: Period,
    grain: str,
    key_metrics: list[KeyMetric],
    sort: str = "name",
    stage: str = "",
    search: str = "",
    page: int = 1,
    page_size: int | None = PRODUCTS_PAGE_SIZE,
) -> ProductTable:
    """The subtree's products, sorted, filtered and paged, each with its latest value of
    the first key metrics against the target of a visible key result that follows the
    metric (else against the bucket before). Four queries: count, page, values, targets."""
    sort = sort if sort in PRODUCT_SORTS else "name"
    stage = stage if stage in LifecycleStage.values else ""
    search = (search or "").strip()[:100]
    qs = Product.objects.filter(owner__in=person_subtree_ids(root=leader))
    if stage:
        qs = qs.filter(stage=stage)
    if search:
        qs = qs.filter(name__icontains=search)
    total = qs.count()
    pages = max(1, -(-total // page_size)) if page_size else 1
    page = min(max(1, page), pages)
    ordered = (
        qs.select_related("owner", "business_unit")
        .annotate(
            stage_rank=Case(
                *(When(stage=value, then=Value(rank)) for rank, value in enumerate(STAGE_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by(*PRODUCT_SORTS[sort])
    )
    if page_size:
        ordered = ordered[(page - 1) * page_size : page * page_size]
    products = list(ordered) if total else []
    shown = key_metrics[:PRODUCT_TABLE_METRICS]
    ids = [p.pk for p in products]
    metric_ids = [m.id for m in shown]
    latest: dict = {}
    targets: dict[tuple[int, int], Decimal] = {}
    if ids and metric_ids:
        starts = grain_starts(period.start, period.end, grain)
        latest = product_latest_values(
            metric_ids=metric_ids, product_ids=ids, grain=grain, first=starts[0], last=starts[-1]
        )
        key_results = (
            KeyResult.objects.filter(
                metric_id__in=metric_ids, goal__product_id__in=ids, goal__period=period
            )
            .filter(_goal_q_via(_goal_visibility_q(viewer_user=viewer_user, leader=leader), "goal"))
            .order_by("goal_id", "id")
            .values_list("goal__product_id", "metric_id", "target_value")
        )
        for product_id, metric_id, target in key_results:
            targets.setdefault((product_id, metric_id), target)
    rows = []
    for product in products:
        cells = []
        for metric in shown:
            values = latest.get((product.pk, metric.id), [])
            target = targets.get((product.pk, metric.id))
            if target is not None:
                compare, kind = target, "target"
            elif len(values) > 1:
                compare, kind = values[1], "previous"
            else:
                compare, kind = None, ""
            cells.append(
                MetricCell(
                    metric_id=metric.id,
                    metric_name=metric.name,
                    unit=metric.unit,
                    direction=metric.direction,
                    latest=values[0] if values else None,
                    compare_to=compare,
                    compare_kind=kind,
                )
            )
        rows.append(
            ProductRow(
                id=product.pk,
                name=product.name,
                stage=product.stage,
                stage_label=product.get_stage_display(),
                owner_id=product.owner_id,
                owner_name=product.owner.full_name if product.owner else "",
                unit_name=product.business_unit.name,
                metrics=cells,
            )
        )
    return ProductTable(
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        sort=sort,
        stage=stage,
        search=search,
        metrics=shown,
    )


def _goal_q_via(q: Q, relation: str) -> Q:
    """``q`` (a filter on Goal) re-rooted at ``relation``, as roadmaps.selectors does."""
    rerooted = Q()
    rerooted.connector, rerooted.negated = q.connector, q.negated
    rerooted.children = [
        _goal_q_via(child, relation)
        if isinstance(child, Q)
        else (f"{relation}__{child[0]}", child[1])
        for child in q.children
    ]
    return rerooted


def findings_limit(*, sort: str, page: int | None) -> int | None:
    """How many findings of each kind to read for ``page`` of the table (``None``: all).

    Sorted by kind, each kind keeps the order its rule reads it in, so page ``n`` lies
    within the first ``n × page size`` rows of each kind and the rules read no more
    (``LIMIT`` in SQL). Sorted by subject or owner, every finding is read.
    """
    if page is None or sort.lstrip("-") != "kind":
        return None
    return max(1, page) * FINDINGS_PAGE_SIZE


def dashboard_findings(
    *,
    viewer_user,
    leader: Person,
    kind: str = "",
    sort: str = "kind",
    report=None,
    limit_per_kind: int | None = None,
) -> tuple[list[FindingRow], object]:
    """The leader's alignment findings as table rows, filtered by kind and sorted, with
    the health report they come from (``health.selectors.leader_health``, reading at most
    ``limit_per_kind`` findings of each kind)."""
    if report is None:
        from health.selectors import leader_health

        report = leader_health(
            leader=leader, viewer_user=viewer_user, limit_per_kind=limit_per_kind
        )
    rows = [
        FindingRow(
            kind=str(getattr(f, "kind", "")),
            label=str(getattr(f, "label", "") or getattr(f, "kind", "")),
            subject=str(getattr(f, "subject", "")),
            url=str(getattr(f, "url", "") or ""),
            detail=str(getattr(f, "detail", "") or ""),
            owner=_owner_name(getattr(f, "owner", None)),
        )
        for f in report.findings
    ]
    if kind:
        rows = [r for r in rows if r.kind == kind]
    sort = sort if sort in FINDING_SORTS else "kind"
    key = sort.lstrip("-")
    # By kind means in the order the health rules are listed, the most pressing first;
    # within a kind, in the order its rule reads them (a stable sort keeps it).
    rank = {kind: i for i, kind in enumerate(FindingKind.values)}
    if key == "kind":
        rows.sort(key=lambda row: rank.get(row.kind, len(rank)), reverse=sort.startswith("-"))
        return rows, report

    def sort_key(row: FindingRow):
        return (getattr(row, key).lower(), row.subject.lower())

    rows.sort(key=sort_key, reverse=sort.startswith("-"))
    return rows, report


@dataclass
class FindingsPage:
    rows: list[FindingRow]
    total: int
    page: int
    pages: int
    report: object


def dashboard_findings_page(
    *,
    viewer_user,
    leader: Person,
    kind: str = "",
    sort: str = "kind",
    page: int | None = 1,
    report=None,
) -> FindingsPage:
    """One page of the findings table (every finding when ``page`` is ``None``), reading
    only the findings up to that page of each kind when sorted by kind. The total comes
    from the health breakdown, which counts every failing row."""
    rows, report = dashboard_findings(
        viewer_user=viewer_user,
        leader=leader,
        kind=kind,
        sort=sort,
        report=report,
        limit_per_kind=findings_limit(sort=sort, page=page),
    )
    total = sum(e.failing for e in report.breakdown if not kind or e.kind == kind)
    if page is None:
        return FindingsPage(rows=rows, total=max(total, len(rows)), page=1, pages=1, report=report)
    pages = max(1, -(-total // FINDINGS_PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * FINDINGS_PAGE_SIZE
    return FindingsPage(
        rows=rows[start : start + FINDINGS_PAGE_SIZE],
        total=total,
        page=page,
        pages=pages,
        report=report,
    )


def _owner_name(owner) -> str:
    if owner is None:
        return ""
    return getattr(owner, "full_name", None) or str(owner)


def _trend_points(trend) -> list[tuple[dt.date, int]]:
    points = []
    for item in trend or []:
        if isinstance(item, tuple | list):
            day, score = item[0], item[1]
        elif isinstance(item, dict):
            day, score = item.get("taken_on") or item.get("day"), item.get("score")
        else:
            day, score = getattr(item, "taken_on", None), getattr(item, "score", None)
        if day is not None and score is not None:
            points.append((day, int(score)))
    return sorted(points)


def leader_dashboard(
    *,
    viewer_user,
    leader: Person,
    period: Period,
    grain: str = RollupGrain.WEEK,
    product_sort: str = "name",
    product_stage: str = "",
    product_search: str = "",
    product_page: int = 1,
    unit_sort: str = "name",
    finding_kind: str = "",
    finding_sort: str = "kind",
    finding_page: int | None = 1,
) -> Dashboard:
    """Everything the leader dashboard shows for ``leader``'s subtree in ``period``.

    The caller decides whether ``viewer_user`` may look at ``leader`` at all
    (``health.selectors.leader_get_for_viewer``); here the viewer only narrows the
    goals to those they may see. The number of queries is the same for a team of three
    and an organisation of thousands.
    """
    from health.selectors import leader_health, leader_health_trend

    grain = parse_grain(grain)
    user_is_hr_admin(user=viewer_user)  # cached on the user for the visibility checks
    people = _subtree_people(leader=leader)
    open_seats = _open_seats(leader=leader)
    products = subtree_products(leader=leader)
    stages = _stage_counts(products)
    finding_sort = finding_sort if finding_sort in FINDING_SORTS else "kind"
    # Only the findings the page shows (``finding_page``; every one when it is None).
    report = leader_health(
        leader=leader,
        viewer_user=viewer_user,
        limit_per_kind=findings_limit(sort=finding_sort, page=finding_page),
    )
    trend = _trend_points(leader_health_trend(leader=leader))
    key_metrics = dashboard_key_metrics(products=products, period=period, grain=grain)
    units = dashboard_units(viewer_user=viewer_user, leader=leader, period=period, sort=unit_sort)
    goals = _goal_counts(units)
    table = dashboard_products(
        viewer_user=viewer_user,
        leader=leader,
        period=period,
        grain=grain,
        key_metrics=key_metrics,
        sort=product_sort,
        stage=product_stage,
        search=product_search,
        page=product_page,
    )
    findings = dashboard_findings_page(
        viewer_user=viewer_user,
        leader=leader,
        kind=finding_kind,
        sort=finding_sort,
        page=finding_page,
        report=report,
    )
    headline = Headline(
        people=people["people"],
        product_roles=people["product_roles"],
        open_seats=open_seats,
        products=len(products),
        products_by_stage=stages,
        goals=goals["total"],
        goals_on_track=goals["on_track"],
        goals_at_risk=goals["at_risk"],
        goals_off_track=goals["off_track"],
        goals_average_progress=_round(goals["average"]),
        health_score=report.score,
        health_trend=trend,
    )
    return Dashboard(
        leader=leader,
        period=period,
        grain=grain,
        headline=headline,
        key_metrics=key_metrics,
        units=units,
        stages=stages,
        products=table,
        findings=findings.rows,
        health_breakdown=list(report.breakdown),
        findings_total=findings.total,
        findings_page=findings.page,
        findings_pages=findings.pages,
    )


def dashboard_leader_choices(*, viewer_user) -> list[Person]:
    """The leaders ``viewer_user`` may open: HR admins every active manager; anybody
    else the managers of their own subtree, themself first (one query)."""
    from roles.selectors import person_for_user

    managers = Person.objects.filter(is_active=True, reports__is_active=True)
    if not user_is_hr_admin(user=viewer_user):
        viewer = person_for_user(user=viewer_user)
        if viewer is None:
            return []
        managers = managers.filter(pk__in=person_subtree_ids(root=viewer))
    return list(
        managers.select_related("role")
        .distinct()
        .order_by(F("role__level").desc(nulls_last=True), "full_name", "id")
    )
