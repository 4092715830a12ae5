"""The demo's metric readings: ~120 days of each product's metrics, then their roll-ups.

Each product reports the metrics its lifecycle stage expects (``StagePolicy``) and those
its key results follow. Readings have the shapes real ones have: a trend by stage
(launches grow fast, sunsets decline), weekly seasonality (quiet weekends), noise;
gauges (``last``) drift, rates (``average``) wander around a level, counters (``sum``)
count events. A key result that follows a metric agrees with it: the product's readings
this quarter combine, by the metric's rule, to exactly the key result's current value,
so the roll-up's follow-up changes nothing.

The small demo writes one reading a day (a few thousand rows); the large one enough
readings a day to reach about 2,000,000 — with PostgreSQL's ``COPY`` (else
``executemany``), then one full roll-up in SQL (``roadmaps.rollups``). Readings are
seeded per product and metric, so the same demo on the same day reads the same.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from productorg.errors import ApplicationError
from roles.demo import DEMO_SEED, demo_org_is_demo

from ..models import (
    KeyResult,
    Metric,
    MetricObservation,
    MetricRollup,
    PendingRollup,
    Product,
    StagePolicy,
)
from ..rollups import metric_rollups_run

SOURCE = "demo"
HISTORY_DAYS = 120
OBSERVATION_TARGETS = {"small": None, "large": 2_000_000}  # None: one reading a day
INSERT_BATCH = 5_000
COPY_CHUNK = 50_000

# How a product's numbers move over the window, by lifecycle stage (relative change).
STAGE_TREND = {
    "discovery": 0.10,
    "launch": 0.60,
    "pmf": 0.30,
    "growth": 0.40,
    "maturity": 0.03,
    "sunset": -0.45,
    "retired": -0.80,
}
# Weekday factors (Monday first): weekends are quieter.
WEEKLY = (1.06, 1.08, 1.07, 1.05, 1.0, 0.86, 0.88)


@dataclass(frozen=True)
class Profile:
    """How a metric's readings look: level range, relative weekly swing and noise,
    decimals, bounds; ``trend`` scales the stage trend (0: a level that only wanders)."""

    low: float
    high: float
    weekly: float = 0.0
    noise: float = 0.02
    decimals: int = 0
    bounds: tuple[float, float] = (0.0, math.inf)
    trend: float = 1.0
    events: bool = False  # a count of events per reading (sum of integers)


PROFILES = {
    "weekly_active_users": Profile(2_000, 60_000, weekly=0.02, noise=0.01),
    "active_customers": Profile(300, 4_000, noise=0.005),
    "migration_rate": Profile(5, 25, noise=0.01, decimals=1, bounds=(0, 100), trend=4.0),
    "activation_rate": Profile(
        20, 45, weekly=0.5, noise=0.06, decimals=1, bounds=(0, 100), trend=0.2
    ),
    "retention_d30": Profile(15, 40, noise=0.04, decimals=1, bounds=(0, 100), trend=0.15),
    "nps": Profile(10, 40, noise=0.25, bounds=(-100, 100), trend=0.1),
    "gross_margin": Profile(45, 70, noise=0.02, decimals=1, bounds=(0, 100), trend=0.05),
    "conversion_rate": Profile(
        2, 6, weekly=0.8, noise=0.08, decimals=2, bounds=(0, 100), trend=0.2
    ),
    "availability": Profile(99.5, 99.99, noise=0.0005, decimals=2, bounds=(0, 100), trend=0),
    "revenue": Profile(2_000, 80_000, weekly=2.0, noise=0.1, decimals=2),
    "customer_interviews": Profile(0.3, 1.5, weekly=4.0, events=True, trend=0.5),
    "experiments_run": Profile(0.1, 0.5, weekly=4.0, events=True, trend=0.5),
}
DEFAULT_PROFILE = Profile(10, 100, noise=0.05, decimals=1)


@dataclass(frozen=True)
class ObservationsDemoSummary:
    series: int
    observations: int
    followed_key_results: int
    rollup_rows: int
    write_seconds: float
    rollup_seconds: float


@dataclass(frozen=True)
class Follow:
    """A key result following the metric: the readings of its period must combine to
    ``current`` (its goal's period starts on ``since``; ``start`` is where it began)."""

    since: dt.date
    start: float
    current: Decimal


def _times(*, today: dt.date, per_day: int, now: dt.datetime) -> list[dt.datetime]:
    """Reading times from ``HISTORY_DAYS`` ago to today, ``per_day`` a day, none ahead of now."""
    step = dt.timedelta(hours=24 / per_day)
    first = dt.datetime.combine(today - dt.timedelta(days=HISTORY_DAYS), dt.time(), tzinfo=dt.UTC)
    count = (HISTORY_DAYS + 1) * per_day
    return [t for t in (first + n * step for n in range(count)) if t <= now]


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def series_values(
    *,
    key: str,
    aggregation: str,
    stage: str,
    times: list[dt.datetime],
    per_day: int,
    rng: random.Random,
    follow: Follow | None = None,
) -> list[str]:
    """The readings of one product's metric at ``times``, as decimal strings."""
    profile = PROFILES.get(key, DEFAULT_PROFILE)
    n = len(times)
    if n == 0:
        return []
    trend = STAGE_TREND.get(stage, 0.0) * profile.trend
    weekday = [(WEEKLY[t.weekday()] - 1) * profile.weekly + 1 for t in times]
    if profile.events:
        rate = rng.uniform(profile.low, profile.high) / per_day
        counts = [_poisson(rng, rate * w * (1 + trend * i / n)) for i, w in enumerate(weekday)]
        if follow is not None:
            counts = _follow_count(counts, times, weekday, follow, rng)
        return [str(c) for c in counts]

    if follow is not None and aggregation == Metric.Aggregation.LAST:
        values = [f"{v:.{profile.decimals}f}" for v in _follow_last(times, follow, profile, rng)]
        values[-1] = f"{follow.current:f}"  # the latest reading is the key result's value
        return values

    level = rng.uniform(profile.low, profile.high)
    if aggregation == Metric.Aggregation.SUM:
        level /= per_day
    noise, gauss = profile.noise, rng.gauss
    span = max(n - 1, 1)
    values = [
        _clamp(level * (1 + trend * i / span) * w * (1 + noise * gauss(0, 1)), profile.bounds)
        for i, w in enumerate(weekday)
    ]
    if follow is not None and aggregation == Metric.Aggregation.AVERAGE:
        return _follow_average(values, times, follow, profile)
    return [f"{v:.{profile.decimals}f}" for v in values]


def _in_period(times: list[dt.datetime], since: dt.date) -> list[int]:
    return [i for i, t in enumerate(times) if t.date() >= since]


def _follow_last(times, follow: Follow, profile: Profile, rng) -> list[float]:
    """A line through the key result's start (its period's first day) and its current
    value (the latest reading), extended back, with a little noise."""
    t0 = dt.datetime.combine(follow.since, dt.time(), tzinfo=dt.UTC).timestamp()
    t1 = times[-1].timestamp()
    slope = (float(follow.current) - follow.start) / max(t1 - t0, 86_400)
    noise = max(profile.noise, 0.005)
    return [
        _clamp(
            (follow.start + slope * (t.timestamp() - t0)) * (1 + noise * rng.gauss(0, 1)),
            profile.bounds,
        )
        for t in times
    ]


def _follow_average(values: list[float], times, follow: Follow, profile: Profile) -> list[str]:
    """Readings of the period moved so that their mean is exactly the key result's value.

    Worked in integer hundredths (or ten-thousandths), so the sum is exact: each reading
    moves by the same amount and the remainder goes one unit at a time."""
    period = _in_period(times, follow.since)
    scale = 100 if (follow.current * 100) % 1 == 0 else 10_000
    decimals = 2 if scale == 100 else 4
    units = [round(v * scale) for v in values]
    if period:
        current = int(follow.current * scale)
        mean = sum(units[i] for i in period) / len(period)
        for i in period:
            units[i] = round(units[i] + current - mean)
        target = current * len(period)
        step, remainder = divmod(target - sum(units[i] for i in period), len(period))
        for position, i in enumerate(period):
            units[i] += step + (1 if position < remainder else 0)
    return [f"{u / scale:.{decimals}f}" for u in units]


def _follow_count(counts: list[int], times, weekday, follow: Follow, rng) -> list[int]:
    """Events of the period re-drawn so that they add up to the key result's count."""
    period = _in_period(times, follow.since)
    if not period:
        return counts
    for i in period:
        counts[i] = 0
    for i in rng.choices(period, weights=[weekday[i] for i in period], k=int(follow.current)):
        counts[i] += 1
    return counts


def _followed() -> dict[tuple[int, int], Follow]:
    """(product id, metric id) → what its readings must agree with (one query)."""
    follows = {}
    rows = (
        KeyResult.objects.filter(metric__isnull=False, goal__product__isnull=False)
        .order_by("pk")
        .values_list(
            "goal__product_id", "metric_id", "goal__period__start", "start_value", "current_value"
        )
    )
    for product_id, metric_id, since, start, current in rows:
        follows.setdefault(
            (product_id, metric_id), Follow(since=since, start=float(start), current=current)
        )
    return follows


def _rows(
    *, today: dt.date, now: dt.datetime, per_day: int, series, follows
) -> Iterator[tuple[int, int, list[dt.datetime], list[str]]]:
    times = _times(today=today, per_day=per_day, now=now)
    for product_id, slug, stage, metric in series:
        rng = random.Random(f"{DEMO_SEED}:{slug}:{metric.key}")
        values = series_values(
            key=metric.key,
            aggregation=metric.aggregation,
            stage=stage,
            times=times,
            per_day=per_day,
            rng=rng,
            follow=follows.get((product_id, metric.pk)),
        )
        yield metric.pk, product_id, times, values


def _write_copy(rows, now: dt.datetime) -> int:
    """PostgreSQL: one ``COPY … FROM STDIN`` of tab-separated text, streamed in chunks."""
    table = MetricObservation._meta.db_table
    stamp = now.isoformat()
    written = 0
    with connection.cursor() as cursor:
        sql = (
            f"COPY {table} (metric_id, product_id, timestamp, value, source, created_at, "
            "updated_at) FROM STDIN"
        )
        with cursor.cursor.copy(sql) as copy:
            buffer = io.StringIO()
            pending = 0
            for metric_id, product_id, times, values in rows:
                prefix = f"{metric_id}\t{product_id}\t"
                suffix = f"\t{SOURCE}\t{stamp}\t{stamp}\n"
                for t, value in zip(times, values, strict=True):
                    buffer.write(f"{prefix}{t.isoformat()}\t{value}{suffix}")
                pending += len(values)
                written += len(values)
                if pending >= COPY_CHUNK:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    pending = 0
            if pending:
                copy.write(buffer.getvalue())
    return written


def _write_executemany(rows, now: dt.datetime) -> int:
    """Any other database: parameterised INSERTs, ``INSERT_BATCH`` rows a call."""
    table = MetricObservation._meta.db_table
    sql = (
        f"INSERT INTO {table} (metric_id, product_id, timestamp, value, source, created_at, "
        "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    # As the ORM stores them (SQLite compares times as text: one format throughout).
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    batch: list[tuple] = []
    written = 0
    with connection.cursor() as cursor:
        for metric_id, product_id, times, values in rows:
            batch.extend(
                (metric_id, product_id, adapt(t), value, SOURCE, stamp, stamp)
                for t, value in zip(times, values, strict=True)
            )
            if len(batch) >= INSERT_BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


@transaction.atomic
def demo_observations_create(
    *, size: str = "small", today: dt.date | None = None, now: dt.datetime | None = None
) -> ObservationsDemoSummary:
    """Write the demo products' readings (after ``demo_goals_create``) and roll them up."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    metrics = {m.key: m for m in Metric.objects.all()}
    by_id = {m.pk: m for m in metrics.values()}
    expected = dict(StagePolicy.objects.values_list("stage", "expected_metric_keys"))
    follows = _followed()
    followed_by_product: dict[int, set[int]] = defaultdict(set)
    for product_id, metric_id in follows:
        followed_by_product[product_id].add(metric_id)
    series = []
    for product_id, slug, stage in Product.objects.order_by("slug").values_list(
        "id", "slug", "stage"
    ):
        ids = {metrics[k].pk for k in expected.get(stage) or [] if k in metrics}
        ids |= followed_by_product.get(product_id, set())
        series.extend((product_id, slug, stage, by_id[i]) for i in sorted(ids))
    target = OBSERVATION_TARGETS.get(size)
    days = HISTORY_DAYS + 1
    per_day = max(1, round(target / (len(series) * days))) if target and series else 1

    started = time.monotonic()
    rows = _rows(today=today, now=now, per_day=per_day, series=series, follows=follows)
    write = _write_copy if connection.vendor == "postgresql" else _write_executemany
    written = write(rows, now)
    write_seconds = time.monotonic() - started

    started = time.monotonic()
    result = metric_rollups_run(full=True)
    rollup_seconds = time.monotonic() - started
    return ObservationsDemoSummary(
        series=len(series),
        observations=written,
        followed_key_results=len(follows),
        rollup_rows=result.rows_written,
        write_seconds=write_seconds,
        rollup_seconds=rollup_seconds,
    )


@transaction.atomic
def demo_observations_delete() -> None:
    """Delete the demo's readings and roll-ups (refused for an organisation not the demo's).

    Deleted in bulk before the products and metrics they belong to, so a reset of the
    large demo never collects two million rows one by one.
    """
    if not demo_org_is_demo():
        raise ApplicationError(
            "The organisation is not the demo (it has people outside the demo, or none); "
            "refusing to delete its metric readings."
        )
    MetricRollup.objects.all().delete()
    PendingRollup.objects.all().delete()
    MetricObservation.objects.all().delete()
