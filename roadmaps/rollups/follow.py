"""The values that key results following a metric take, all in one grouped query.

A key result linked to a metric follows the metric's value over its goal's period in its
goal's scope (the goal's product, else team, else business unit, else the company),
combined from the daily roll-ups by the metric's rule — what
:func:`roadmaps.rollups.metric_value_over` computes for one of them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from ..models import Goal, KeyResult, Metric, MetricRollup, Period, RollupGrain, RollupScope

OPEN_STATUSES = [
    Goal.Status.DRAFT,
    Goal.Status.ON_TRACK,
    Goal.Status.AT_RISK,
    Goal.Status.OFF_TRACK,
]


def _decimal(value) -> Decimal | None:
    """SQLite returns sums of decimals as floats or integers; PostgreSQL as Decimal."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def covering_grain(start: dt.date, end: dt.date) -> str:
    """The coarsest grain whose buckets tile [start, end] exactly (a quarter's period is
    one quarter roll-up instead of some ninety daily ones); the day at worst."""
    from . import bucket_start

    after = end + dt.timedelta(days=1)
    for grain in [RollupGrain.QUARTER, RollupGrain.MONTH, RollupGrain.WEEK]:
        if bucket_start(grain, start) == start and bucket_start(grain, after) == after:
            return grain
    return RollupGrain.DAY


def followed_values(
    *,
    metric_ids: list[int],
    within: tuple[dt.date, dt.date] | None,
    period_grains: dict[int, str],
) -> dict[int, Decimal | None]:
    """The value of every open goal's key result following one of ``metric_ids``, by key
    result id (None when its scope has no reading in the period). ``within``: only goals
    whose period overlaps [first day, last day]. ``period_grains``: the grain to combine
    for each period (:func:`covering_grain`; the day for periods not given)."""
    qn = connection.ops.quote_name
    kr, goal, period = KeyResult._meta.db_table, Goal._meta.db_table, Period._meta.db_table
    metric, rollup = Metric._meta.db_table, MetricRollup._meta.db_table
    metric_marks = ", ".join(["%s"] * len(metric_ids))
    status_marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    params: list = [
        RollupScope.PRODUCT,
        RollupScope.TEAM,
        RollupScope.BUSINESS_UNIT,
        RollupScope.COMPANY,
        *[value for item in period_grains.items() for value in item],
        RollupGrain.DAY,
        *metric_ids,
        *OPEN_STATUSES,
    ]
    grain_cases = " ".join(["WHEN %s THEN %s"] * len(period_grains))
    grain = f"CASE g.period_id {grain_cases} ELSE %s END" if period_grains else "%s"
    overlap = ""
    if within is not None:
        overlap = f"AND p.start <= %s AND p.{qn('end')} >= %s"
        params += [within[1], within[0]]
    # Each following key result's rows of the metric in its goal's scope and period,
    # combined every way; "last" then reads the row of the latest reading (buckets do
    # not overlap, so the latest time is one row).
    sql = f"""
        WITH followed AS (
            SELECT kr.id AS kr_id, kr.metric_id AS metric_id, m.aggregation AS rule,
                   CASE WHEN g.product_id IS NOT NULL THEN %s
                        WHEN g.team_id IS NOT NULL THEN %s
                        WHEN g.business_unit_id IS NOT NULL THEN %s
                        ELSE %s END AS scope,
                   COALESCE(g.product_id, g.team_id, g.business_unit_id, 0) AS scope_id,
                   {grain} AS grain, p.start AS start, p.{qn("end")} AS finish
            FROM {kr} AS kr
            JOIN {goal} AS g ON g.id = kr.goal_id
            JOIN {period} AS p ON p.id = g.period_id
            JOIN {metric} AS m ON m.id = kr.metric_id
            WHERE kr.metric_id IN ({metric_marks}) AND g.status IN ({status_marks}) {overlap}
        ), combined AS (
            SELECT f.kr_id, f.metric_id, f.rule, f.scope, f.scope_id, f.grain, f.start,
                   f.finish,
                   SUM(r.observation_sum) AS total, SUM(r.observation_count) AS cnt,
                   MIN(r.value) AS low, MAX(r.value) AS high, MAX(r.last_observed_at) AS latest
            FROM followed AS f
            JOIN {rollup} AS r
              ON r.metric_id = f.metric_id AND r.scope = f.scope AND r.scope_id = f.scope_id
             AND r.grain = f.grain AND r.period_start >= f.start AND r.period_start <= f.finish
            GROUP BY f.kr_id, f.metric_id, f.rule, f.scope, f.scope_id, f.grain, f.start,
                     f.finish
        )
        SELECT c.kr_id, c.rule, c.total, c.cnt, c.low, c.high,
               CASE WHEN c.rule = 'last' THEN (
                   SELECT r.value FROM {rollup} AS r
                   WHERE r.metric_id = c.metric_id AND r.scope = c.scope
                     AND r.scope_id = c.scope_id AND r.grain = c.grain
                     AND r.period_start >= c.start AND r.period_start <= c.finish
                     AND r.last_observed_at = c.latest
                   ORDER BY r.period_start DESC
                   LIMIT 1
               ) END AS last_value
        FROM combined AS c
    """
    values: dict[int, Decimal | None] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kr_id, rule, total, count, low, high, last_value in cursor.fetchall():
            total, low, high = _decimal(total), _decimal(low), _decimal(high)
            if rule == Metric.Aggregation.SUM:
                values[kr_id] = total
            elif rule == Metric.Aggregation.AVERAGE:
                values[kr_id] = total / count if count else None
            elif rule == Metric.Aggregation.MIN:
                values[kr_id] = low
            elif rule == Metric.Aggregation.MAX:
                values[kr_id] = high
            else:
                values[kr_id] = _decimal(last_value)
    return values
