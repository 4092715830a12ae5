"""What the leader dashboard returns, and its page sizes and sort keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField

from roadmaps.models import Goal, Metric, Period
from roles.models import Person

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
    # When the health (score, breakdown, findings) was computed, and whether that is
    # older than ``settings.HEALTH_REPORT_MAX_AGE`` (a refresh has been asked for).
    health_computed_at: dt.datetime | None = None
    health_stale: bool = False
