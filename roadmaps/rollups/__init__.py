"""Metric roll-ups, computed by the database.

For each metric, :class:`~roadmaps.models.MetricRollup` rows hold its value per scope
(product, team, business unit with its whole subtree, company) and calendar bucket
(day, week, month, quarter; UTC, weeks start on Monday). The job works in layers, each
one ``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`` statement:

1. product × day from the raw observations;
2. product × week / month / quarter from the product × day rows;
3. team, business unit (through the unit tree, a recursive CTE) and company × each
   grain from the product rows of that grain.

Every row carries the count, the sum and the latest time of the readings it covers, so
each layer combines the one below exactly: a *sum* adds up, an *average* is
``Σ sum / Σ count`` (weighted by readings, never an average of averages), *min* and
*max* take the extreme, and *last* takes the value of the latest reading — never added.

Runs are incremental: ingestion marks ``(metric, day)`` in :class:`PendingRollup`; a run
claims those rows and recomputes only the buckets that contain them. Each layer is
computed into a temporary table; only roll-ups whose numbers changed are written (an
upsert on the roll-up's unique key) and buckets left without readings are deleted, so a
re-run over unchanged data reads but hardly writes. Each metric is recomputed in its own
transaction under a lock on that metric (a PostgreSQL advisory lock; SQLite serialises
writers), so two runs at once, or the same run twice, leave the same rows. A full run
on PostgreSQL computes every layer of a metric in one statement instead, under the locks
of all the metrics (:mod:`roadmaps.rollups.full`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from roles.models import BusinessUnit

from ..models import (
    Metric,
    MetricObservation,
    MetricRollup,
    PendingRollup,
    Product,
    RollupGrain,
    RollupScope,
)
from .follow import _goal_scope, key_results_follow_metrics, metric_value_over  # noqa: F401
from .full import ROLLUP_UPSERT

logger = logging.getLogger(__name__)

__all__ = [
    "RollupResult",
    "bucket_end",
    "bucket_start",
    "key_results_follow_metrics",
    "metric_rollups_run",
    "metric_value_over",
    "product_mark_for_rollup",
]

# Namespace of the per-metric advisory locks (pg_advisory_xact_lock(namespace, metric id)).
ROLLUP_LOCK_NAMESPACE = 710_001
# Incremental runs filter by time ranges; past this many, one covering range is cheaper.
MAX_RANGES = 40
GRAINS = [RollupGrain.DAY, RollupGrain.WEEK, RollupGrain.MONTH, RollupGrain.QUARTER]

OBS = MetricObservation._meta.db_table
ROLLUP = MetricRollup._meta.db_table
PRODUCT = Product._meta.db_table
UNIT = BusinessUnit._meta.db_table


@dataclass(frozen=True)
class RollupResult:
    """What a run did: metrics recomputed, buckets touched, roll-up rows written."""

    metrics: int
    periods: int
    rows_written: int


# ------------------------------------------------------------------------ calendar


def bucket_start(grain: str, day: dt.date) -> dt.date:
    """The first day of the ``grain`` bucket holding ``day`` (weeks start on Monday)."""
    if grain == RollupGrain.DAY:
        return day
    if grain == RollupGrain.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if grain == RollupGrain.MONTH:
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def bucket_end(grain: str, start: dt.date) -> dt.date:
    """The first day after the ``grain`` bucket starting on ``start``."""
    if grain == RollupGrain.DAY:
        return start + dt.timedelta(days=1)
    if grain == RollupGrain.WEEK:
        return start + dt.timedelta(days=7)
    months = 1 if grain == RollupGrain.MONTH else 3
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def _ranges(grain: str, days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The buckets of ``grain`` touched by ``days``, merged into [start, end) ranges."""
    starts = sorted({bucket_start(grain, day) for day in days})
    merged: list[list[dt.date]] = []
    for start in starts:
        end = bucket_end(grain, start)
        if merged and merged[-1][1] >= start:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if len(merged) > MAX_RANGES:
        return [(merged[0][0], merged[-1][1])]
    return [(start, end) for start, end in merged]


# ------------------------------------------------------------------------ SQL pieces


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _day_of(column: str) -> str:
    """SQL: the UTC day of a timestamp column."""
    if _is_postgres():
        return f"(({column}) AT TIME ZONE 'UTC')::date"
    return f"date({column})"


def _trunc_date(grain: str, column: str) -> str:
    """SQL: the start of the ``grain`` bucket holding the date in ``column``."""
    if grain == RollupGrain.DAY:
        return column
    if _is_postgres():
        return f"date_trunc('{grain}', ({column})::timestamp)::date"
    if grain == RollupGrain.WEEK:
        return f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')"
    if grain == RollupGrain.MONTH:
        return f"date({column}, 'start of month')"
    return (
        f"date({column}, 'start of month', "
        f"'-' || ((CAST(strftime('%m', {column}) AS INTEGER) - 1) % 3) || ' months')"
    )


def _combine(source: str, aggregation: str) -> str:
    """SQL: ``source``'s rows (scope_id, bucket, value, cnt, total, ts, tiebreak) combined
    into one row per (scope_id, bucket) by the metric's aggregation rule."""
    if aggregation == Metric.Aggregation.LAST:
        return f"""
            SELECT scope_id, bucket, value, cnt, total, ts FROM (
                SELECT scope_id, bucket, value, ts,
                       ROW_NUMBER() OVER (
                           PARTITION BY scope_id, bucket ORDER BY ts DESC, tiebreak DESC
                       ) AS position,
                       SUM(cnt) OVER (PARTITION BY scope_id, bucket) AS cnt,
                       SUM(total) OVER (PARTITION BY scope_id, bucket) AS total
                FROM ({source}) AS src
            ) AS ranked WHERE position = 1"""
    value = {
        Metric.Aggregation.SUM: "SUM(total)",
        # "* 1.0": SQLite divides integers as integers.
        Metric.Aggregation.AVERAGE: "SUM(total) * 1.0 / SUM(cnt)",
        Metric.Aggregation.MIN: "MIN(value)",
        Metric.Aggregation.MAX: "MAX(value)",
    }[aggregation]
    return f"""
        SELECT scope_id, bucket, {value} AS value, SUM(cnt) AS cnt, SUM(total) AS total,
               MAX(ts) AS ts
        FROM ({source}) AS src GROUP BY scope_id, bucket"""


def _unit_tree_cte() -> str:
    """SQL: every (ancestor, unit) pair of the business-unit tree, each unit its own ancestor."""
    return f"""
        WITH RECURSIVE unit_tree(ancestor_id, unit_id) AS (
            SELECT id, id FROM {UNIT}
            UNION ALL
            SELECT unit_tree.ancestor_id, child.id
            FROM unit_tree JOIN {UNIT} AS child ON child.parent_id = unit_tree.unit_id
        )"""


def _range_filter(column: str, ranges, adapt) -> tuple[str, list]:
    """SQL: ``column`` within any of ``ranges`` ([start, end)); None means everything."""
    if ranges is None:
        return "1 = 1", []
    clauses, params = [], []
    for start, end in ranges:
        clauses.append(f"({column} >= %s AND {column} < %s)")
        params += [adapt(start), adapt(end)]
    return "(" + " OR ".join(clauses) + ")", params


STAGE = "metric_rollup_stage"


def _upsert(
    *,
    metric: Metric,
    scope: str,
    grain: str,
    combined: str,
    params: list,
    now,
    ranges,
    cte: str = "",
) -> int:
    """Make the ``scope``/``grain`` roll-ups within ``ranges`` equal the combined rows.

    The rows are computed once into a temporary table; roll-ups whose numbers changed
    (or are new) are upserted, unchanged ones are not rewritten, and roll-ups of the
    recomputed buckets that no longer have readings (a product moved or lost its
    readings) are deleted. Returns the number of rows written or deleted.
    """
    ops = connection.ops
    where, range_params = _range_filter("period_start", ranges, ops.adapt_datefield_value)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {STAGE} AS
            {cte}
            SELECT scope_id, bucket, ROUND(value, 4) AS value, cnt, total, ts
            FROM ({combined}) AS combined
            """,
            params,
        )
        if _is_postgres():
            cursor.execute(f"ANALYZE {STAGE}")  # plan the joins below on real row counts
        cursor.execute(
            f"""
            INSERT INTO {ROLLUP} (
                metric_id, scope, scope_id, grain, period_start, value, observation_count,
                observation_sum, last_observed_at, computed_at
            )
            SELECT %s, %s, scope_id, %s, bucket, value, cnt, total, ts, %s
            FROM {STAGE}
            WHERE true
            {ROLLUP_UPSERT}
            """,
            [metric.pk, scope, grain, ops.adapt_datetimefield_value(now)],
        )
        written = max(cursor.rowcount, 0)
        cursor.execute(
            f"""
            DELETE FROM {ROLLUP}
            WHERE metric_id = %s AND scope = %s AND grain = %s AND {where}
              AND NOT EXISTS (
                  SELECT 1 FROM {STAGE} AS stage
                  WHERE stage.scope_id = {ROLLUP}.scope_id
                    AND stage.bucket = {ROLLUP}.period_start
              )
            """,
            [metric.pk, scope, grain, *range_params],
        )
        written += max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {STAGE}")
    return written


# ------------------------------------------------------------------------ one metric


def _rollup_metric(*, metric: Metric, days: set[dt.date] | None, now) -> tuple[int, int]:
    """Recompute ``metric``'s buckets holding ``days`` (None: all of them).

    Returns (buckets touched, rows written). Runs inside the caller's transaction,
    which holds the metric's lock.
    """
    ops = connection.ops
    adapt_dt = ops.adapt_datetimefield_value
    adapt_date = ops.adapt_datefield_value
    rule = metric.aggregation
    written = 0
    periods = 0

    def to_datetime(day: dt.date):
        return adapt_dt(dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC))

    # 1. product x day, from the raw readings.
    day_ranges = None if days is None else _ranges(RollupGrain.DAY, days)
    where, params = _range_filter("o.timestamp", day_ranges, to_datetime)
    source = f"""
        SELECT o.product_id AS scope_id, {_day_of("o.timestamp")} AS bucket, o.value AS value,
               1 AS cnt, o.value AS total, o.timestamp AS ts, o.id AS tiebreak
        FROM {OBS} AS o WHERE o.metric_id = %s AND {where}"""
    written += _upsert(
        metric=metric,
        scope=RollupScope.PRODUCT,
        grain=RollupGrain.DAY,
        combined=_combine(source, rule),
        params=[metric.pk, *params],
        now=now,
        ranges=day_ranges,
    )

    for grain in GRAINS:
        ranges = None if days is None else _ranges(grain, days)
        periods += (
            0
            if ranges is None
            else sum(1 for start, end in ranges for _ in _bucket_starts(grain, start, end))
        )
        if grain != RollupGrain.DAY:
            # 2. product x week / month / quarter, from product x day.
            where, params = _range_filter("r.period_start", ranges, adapt_date)
            source = f"""
                SELECT r.scope_id AS scope_id, {_trunc_date(grain, "r.period_start")} AS bucket,
                       r.value AS value, r.observation_count AS cnt, r.observation_sum AS total,
                       r.last_observed_at AS ts, r.scope_id AS tiebreak
                FROM {ROLLUP} AS r
                WHERE r.metric_id = %s AND r.scope = 'product' AND r.grain = 'day' AND {where}"""
            written += _upsert(
                metric=metric,
                scope=RollupScope.PRODUCT,
                grain=grain,
                combined=_combine(source, rule),
                params=[metric.pk, *params],
                now=now,
                ranges=ranges,
            )
        # 3. team, business unit (whole subtree) and company, from product x this grain.
        where, params = _range_filter("r.period_start", ranges, adapt_date)
        product_rows = f"""
            FROM {ROLLUP} AS r JOIN {PRODUCT} AS p ON p.id = r.scope_id
            WHERE r.metric_id = %s AND r.scope = 'product' AND r.grain = '{grain}' AND {where}"""
        columns = """r.period_start AS bucket, r.value AS value, r.observation_count AS cnt,
                     r.observation_sum AS total, r.last_observed_at AS ts,
                     r.scope_id AS tiebreak"""
        layers = [
            (
                RollupScope.TEAM,
                f"SELECT p.team_id AS scope_id, {columns} {product_rows} AND p.team_id IS NOT NULL",
                "",
            ),
            (
                RollupScope.BUSINESS_UNIT,
                f"SELECT unit_tree.ancestor_id AS scope_id, {columns} {product_rows.replace('WHERE', 'JOIN unit_tree ON unit_tree.unit_id = p.business_unit_id WHERE', 1)}",
                _unit_tree_cte(),
            ),
            (RollupScope.COMPANY, f"SELECT 0 AS scope_id, {columns} {product_rows}", ""),
        ]
        for scope, source, cte in layers:
            written += _upsert(
                metric=metric,
                scope=scope,
                grain=grain,
                combined=_combine(source, rule),
                params=[metric.pk, *params],
                now=now,
                ranges=ranges,
                cte=cte,
            )

    return periods, written


def _bucket_starts(grain: str, start: dt.date, end: dt.date):
    while start < end:
        yield start
        start = bucket_end(grain, start)


def _lock_metric(metric_id: int) -> None:
    """Serialise runs on one metric (PostgreSQL; SQLite's write lock already does)."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK_NAMESPACE, metric_id]
            )


# ------------------------------------------------------------------------ the job


def product_mark_for_rollup(*, product_id: int) -> None:
    """Mark every (metric, day) with a reading of the product for the next run (one
    statement), e.g. after it moved to another team or unit; enqueue the run after commit."""
    from ..observations import PENDING
    from ..tasks import enqueue_rollup

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {PENDING} (metric_id, day)
            SELECT DISTINCT o.metric_id, {_day_of("o.timestamp")} FROM {OBS} AS o
            WHERE o.product_id = %s
            ON CONFLICT (metric_id, day) DO NOTHING
            """,
            [product_id],
        )
    transaction.on_commit(enqueue_rollup)


def metric_rollups_run(
    *, full: bool = False, metric_ids: Iterable[int] | None = None
) -> RollupResult:
    """Bring the roll-ups up to date with the observations.

    Incremental by default: only the buckets holding days marked by ingestion are
    recomputed. ``full`` recomputes every bucket of every metric (or of ``metric_ids``)
    and drops roll-ups left without readings. Safe to run twice or concurrently.
    Key results that follow a recomputed metric are then checked in with its value.
    """
    if full:
        ids = metric_ids if metric_ids is not None else Metric.objects.values_list("pk", flat=True)
        todo = sorted(set(ids))
    else:
        pending = PendingRollup.objects.all()
        if metric_ids is not None:
            pending = pending.filter(metric_id__in=list(metric_ids))
        todo = sorted(set(pending.values_list("metric_id", flat=True)))
    metrics = Metric.objects.in_bulk(todo)
    if full and _is_postgres():
        return _full_run({pk: metric.aggregation for pk, metric in metrics.items()})
    total_periods = total_rows = done = 0
    touched: dict[int, set[dt.date] | None] = {}
    for metric_id in todo:
        metric = metrics.get(metric_id)
        if metric is None:
            continue
        with transaction.atomic():
            _lock_metric(metric_id)
            claimed = list(
                PendingRollup.objects.filter(metric_id=metric_id).values_list("pk", "day")
            )
            if full:
                days = None
            else:
                days = {day for _pk, day in claimed}
                if not days:
                    continue  # another run took them while we waited for the lock
            now = timezone.now()
            periods, rows = _rollup_metric(metric=metric, days=days, now=now)
            PendingRollup.objects.filter(pk__in=[pk for pk, _day in claimed]).delete()
        done += 1
        total_periods += periods
        total_rows += rows
        touched[metric_id] = days
    if touched:
        key_results_follow_metrics(touched=touched)
    return RollupResult(metrics=done, periods=total_periods, rows_written=total_rows)


def _full_run(rules: dict[int, str]) -> RollupResult:
    """A full run on PostgreSQL: each metric set-based, in one statement (see ``full``).

    The metrics are split between this connection and one more in a second thread, each
    half in its own transaction under its metrics' locks (taken in id order, so runs
    cannot deadlock), so that the database works them on two cores. Inside a caller's
    transaction (whose rows another connection could not see) it all runs here.
    """
    from .full import full_rollup_postgres

    if not rules:
        return RollupResult(metrics=0, periods=0, rows_written=0)
    now = timezone.now()

    def roll_up(metric_ids: list[int]) -> int:
        with transaction.atomic():
            return full_rollup_postgres(
                rules={pk: rules[pk] for pk in metric_ids},
                now=now,
                lock_namespace=ROLLUP_LOCK_NAMESPACE,
                unit_tree=_unit_tree_cte(),
            )

    def roll_up_elsewhere(metric_ids: list[int]) -> int:
        try:
            return roll_up(metric_ids)
        finally:
            connection.close()  # this thread's own connection

    ids = sorted(rules)
    if connection.in_atomic_block or len(ids) < 2:
        rows = roll_up(ids)
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            other = pool.submit(roll_up_elsewhere, ids[1::2])
            try:
                rows = roll_up(ids[0::2])
            finally:
                rows_other = other.result()  # waits, and raises what it raised
            rows += rows_other
    key_results_follow_metrics(touched=dict.fromkeys(ids))
    return RollupResult(metrics=len(ids), periods=0, rows_written=rows)
