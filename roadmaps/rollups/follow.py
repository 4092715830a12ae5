"""Key results that follow a metric: checked in with its value after each roll-up.

A key result linked to a metric follows the metric's value over its goal's period in its
goal's scope (the goal's product, else team, else business unit, else the company),
combined from the roll-ups by the metric's rule. :func:`metric_value_over` computes it
for one; a run reads all of them in one grouped query (:func:`followed_values`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from ..models import Goal, KeyResult, Metric, MetricRollup, Period, RollupGrain, RollupScope

logger = logging.getLogger(__name__)

# A check-in's value is DecimalField(max_digits=16, decimal_places=4).
CHECK_IN_LIMIT = Decimal("1e12")

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


def _goal_scope(goal: Goal) -> tuple[str, int]:
    if goal.product_id:
        return RollupScope.PRODUCT, goal.product_id
    if goal.team_id:
        return RollupScope.TEAM, goal.team_id
    if goal.business_unit_id:
        return RollupScope.BUSINESS_UNIT, goal.business_unit_id
    return RollupScope.COMPANY, 0


def metric_value_over(*, metric: Metric, scope: str, scope_id: int, start: dt.date, end: dt.date):
    """The metric's value over [start, end] in a scope, combined from its daily roll-ups
    by the metric's rule; None when there is no reading."""
    rows = MetricRollup.objects.filter(
        metric=metric,
        scope=scope,
        scope_id=scope_id,
        grain=RollupGrain.DAY,
        period_start__gte=start,
        period_start__lte=end,
    ).values_list("value", "observation_count", "observation_sum", "last_observed_at")
    rows = list(rows)
    if not rows:
        return None
    rule = metric.aggregation
    if rule == Metric.Aggregation.SUM:
        return sum((row[2] for row in rows), Decimal(0))
    if rule == Metric.Aggregation.AVERAGE:
        count = sum(row[1] for row in rows)
        return sum((row[2] for row in rows), Decimal(0)) / count
    if rule == Metric.Aggregation.MIN:
        return min(row[0] for row in rows)
    if rule == Metric.Aggregation.MAX:
        return max(row[0] for row in rows)
    return max(rows, key=lambda row: row[3])[0]


def key_results_follow_metrics(*, touched: dict[int, set[dt.date] | None]) -> int:
    """Check in every key result following a recomputed metric whose value moved.

    The value is the metric over the goal's period in the goal's scope (its product,
    team, business unit, else the company), as :func:`metric_value_over` gives it. Goals
    closed or cancelled are left alone. Two queries whatever the number of key results
    (the key results, then their values in one grouped query), plus the check-ins made.
    Returns the number of check-ins made.
    """
    from ..services import check_in_create

    key_results = (
        KeyResult.objects.filter(metric_id__in=list(touched), goal__status__in=OPEN_STATUSES)
        .select_related("goal__period", "metric")
        .order_by("pk")
    )
    by_metric: dict[int, list[KeyResult]] = defaultdict(list)
    days_touched: set[dt.date] = set()
    for key_result in key_results:
        days = touched[key_result.metric_id]
        period = key_result.goal.period
        if days is not None and not any(period.start <= day <= period.end for day in days):
            continue
        by_metric[key_result.metric_id].append(key_result)
        days_touched |= days or set()
    if not by_metric:
        return 0
    everything = any(touched[metric_id] is None for metric_id in by_metric)
    periods = {kr.goal.period for items in by_metric.values() for kr in items}
    values = followed_values(
        metric_ids=list(by_metric),
        within=None if everything else (min(days_touched), max(days_touched)),
        period_grains={period.pk: covering_grain(period.start, period.end) for period in periods},
    )
    made = 0
    for items in by_metric.values():
        for key_result in items:
            value = values.get(key_result.pk)
            if value is None:
                continue
            value = value.quantize(Decimal("0.0001"))
            if abs(value) >= CHECK_IN_LIMIT:
                logger.warning("Key result %s: metric value %s does not fit", key_result.pk, value)
                continue
            if value == key_result.current_value:
                continue
            with transaction.atomic():
                check_in_create(
                    key_result=key_result,
                    author=None,
                    value=value,
                    note=f"Followed the metric “{key_result.metric.name}”.",
                )
            made += 1
    return made
