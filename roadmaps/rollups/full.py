"""The full roll-up on PostgreSQL: every layer of a metric in one statement.

A full run recomputes every bucket, so it needs neither the marked days nor the
per-layer temporary tables of the incremental runs. It locks every metric (in id order,
the order every run takes them) for one transaction, then, one statement per metric
(smaller hash tables work markedly faster than one for all metrics), computes every
layer as a chain of CTEs:

1. product × day from the raw readings;
2. product × week and month from the product days in one pass (grouping sets), and
   quarter from the months;
3. team and direct business unit × every grain from the product rows in one pass
   (grouping sets); each unit then takes its subtree's direct rows (the unit tree, a
   recursive CTE) and the company every unit's;

and compares them with the stored roll-ups in one hash join. Only the new, changed
(value, count, sum or latest time) and stale rows land in a small temporary table, from
which they are upserted (on the roll-up's unique key) or deleted: a repeated run reads
but writes nothing.

Each row carries what combines exactly: the count, the sum, and only for the rule that
needs it the extreme or the latest reading. "Last" compares the key ``[time, tiebreak,
value]`` whose maximum is the latest reading: ties on time go to the higher reading id
within a product and to the higher product id across products, as in the incremental
runs.
"""

from __future__ import annotations

from django.db import connection

from ..models import MetricObservation, MetricRollup, PendingRollup, Product
from ..models import RollupScope as Scope

OBS = MetricObservation._meta.db_table
ROLLUP = MetricRollup._meta.db_table

# How a computed roll-up row meets the stored one (both runs end their INSERT with it):
# its numbers replace the stored ones only when one of them changed, so a re-run over
# unchanged readings rewrites nothing.
ROLLUP_UPSERT = f"""
ON CONFLICT (metric_id, scope, scope_id, grain, period_start) DO UPDATE SET
    value = excluded.value,
    observation_count = excluded.observation_count,
    observation_sum = excluded.observation_sum,
    last_observed_at = excluded.last_observed_at,
    computed_at = excluded.computed_at
WHERE {ROLLUP}.value <> excluded.value
   OR {ROLLUP}.observation_count <> excluded.observation_count
   OR {ROLLUP}.observation_sum <> excluded.observation_sum
   OR {ROLLUP}.last_observed_at <> excluded.last_observed_at
"""
PRODUCT = Product._meta.db_table
PENDING = PendingRollup._meta.db_table

# Hash aggregates and the comparison join over millions of rows stay in memory.
WORK_MEM = "512MB"

# Grains are numbered inside the computation (narrower hash keys), named when compared.
GRAIN_NAMES = "ARRAY['day', 'week', 'month', 'quarter']"


def _epoch(column: str) -> str:
    return f"extract(epoch FROM {column})"


def _only(rule: str, wanted: str, aggregate: str) -> str:
    """SQL: ``aggregate`` when the metric's rule is ``wanted``, else NULL (not computed)."""
    return aggregate if rule == wanted else "NULL::numeric"


def _value(rule: str) -> str:
    """SQL: a stage row's value by the metric's rule (sums, extremes and readings keep the
    readings' four decimals; an average is rounded to them)."""
    return {
        "sum": "total",
        "average": "ROUND(total * 1.0 / cnt, 4)",
        "min": "vmin",
        "max": "vmax",
        "last": "vlast",
    }[rule]


def _stage_sql(unit_tree: str, rule: str) -> str:
    """SQL: the CTEs up to ``staged``, every roll-up row that the metric given as the
    parameter ``= ANY(%s)``, of aggregation ``rule``, must have, with its value."""
    return f"""
        {unit_tree},
        -- 1. product x day, from the raw readings; the extremes and the latest reading
        --    only for the metrics whose rule needs them.
        day AS MATERIALIZED (
            SELECT o.metric_id, o.product_id AS pid,
                   (o.timestamp AT TIME ZONE 'UTC')::date AS bucket,
                   count(*)::integer AS cnt, sum(o.value) AS total, max(o.timestamp) AS ts,
                   {_only(rule, "min", "min(o.value)")} AS vmin,
                   {_only(rule, "max", "max(o.value)")} AS vmax,
                   {_only(rule, "last", f"(max(ARRAY[{_epoch('o.timestamp')}, o.id, o.value]))[3]")}
                       AS vlast
            FROM {OBS} AS o
            WHERE o.metric_id = ANY(%s)
            GROUP BY o.metric_id, o.product_id, 3
        ),
        -- 2. product x week and month from the product days, in one pass; quarter from
        --    the months (a month lies in one quarter).
        coarse AS MATERIALIZED (
            SELECT metric_id, pid, 1 + GROUPING(wk) AS grain, COALESCE(wk, mo) AS bucket,
                   sum(cnt)::integer AS cnt, sum(total) AS total, max(ts) AS ts,
                   min(vmin) AS vmin, max(vmax) AS vmax,
                   (max(CASE WHEN vlast IS NOT NULL THEN ARRAY[{_epoch("ts")}, vlast] END))[2]
                       AS vlast
            FROM (
                SELECT day.*,
                       date_trunc('week', bucket::timestamp)::date AS wk,
                       date_trunc('month', bucket::timestamp)::date AS mo
                FROM day
            ) AS days
            GROUP BY metric_id, pid, GROUPING SETS ((wk), (mo))
        ),
        product AS NOT MATERIALIZED (  -- read twice, never copied
            SELECT metric_id, pid, 0 AS grain, bucket, cnt, total, ts, vmin, vmax, vlast
            FROM day
            UNION ALL
            SELECT * FROM coarse
            UNION ALL
            SELECT metric_id, pid, 3, date_trunc('quarter', bucket::timestamp)::date,
                   sum(cnt)::integer, sum(total), max(ts), min(vmin), max(vmax),
                   (max(CASE WHEN vlast IS NOT NULL THEN ARRAY[{_epoch("ts")}, vlast] END))[2]
            FROM coarse WHERE grain = 2
            GROUP BY metric_id, pid, 4
        ),
        -- 3. team (kind 0) and direct business unit (1) x every grain, from the product
        --    rows, in one pass; "last" keeps [time, product, value].
        grouped AS MATERIALIZED (
            SELECT r.metric_id, r.grain, r.bucket,
                   GROUPING(p.team_id) AS kind,
                   COALESCE(p.team_id, p.business_unit_id) AS scope_id,
                   sum(r.cnt)::integer AS cnt, sum(r.total) AS total, max(r.ts) AS ts,
                   min(r.vmin) AS vmin, max(r.vmax) AS vmax,
                   max(CASE WHEN r.vlast IS NOT NULL
                            THEN ARRAY[{_epoch("r.ts")}, r.pid, r.vlast] END) AS lastk
            FROM product AS r JOIN {PRODUCT} AS p ON p.id = r.pid
            GROUP BY r.metric_id, r.grain, r.bucket,
                     GROUPING SETS ((p.team_id), (p.business_unit_id))
            HAVING GROUPING(p.team_id) = 1 OR p.team_id IS NOT NULL
        ),
        stage AS (
            SELECT metric_id, '{Scope.PRODUCT}' AS scope, pid AS scope_id, grain, bucket,
                   cnt, total, ts, vmin, vmax, vlast
            FROM product
            UNION ALL
            SELECT metric_id, '{Scope.TEAM}', scope_id, grain, bucket, cnt, total, ts,
                   vmin, vmax, lastk[3]
            FROM grouped WHERE kind = 0
            UNION ALL
            -- the company takes every unit's direct rows (every product has a unit)
            SELECT metric_id, '{Scope.COMPANY}', 0, grain, bucket, sum(cnt), sum(total),
                   max(ts), min(vmin), max(vmax), (max(lastk))[3]
            FROM grouped WHERE kind = 1
            GROUP BY metric_id, grain, bucket
            UNION ALL
            -- each unit takes the direct rows of its whole subtree
            SELECT g.metric_id, '{Scope.BUSINESS_UNIT}', unit_tree.ancestor_id, g.grain,
                   g.bucket, sum(g.cnt), sum(g.total), max(g.ts), min(g.vmin), max(g.vmax),
                   (max(g.lastk))[3]
            FROM grouped AS g JOIN unit_tree ON unit_tree.unit_id = g.scope_id
            WHERE g.kind = 1
            GROUP BY g.metric_id, g.grain, g.bucket, unit_tree.ancestor_id
        ),
        staged AS (
            -- the extremes and the latest reading are only kept for their rules
            SELECT metric_id, scope, scope_id, ({GRAIN_NAMES})[grain + 1] AS grain, bucket,
                   {_value(rule)} AS value, cnt, total, ts
            FROM stage
        )"""


def full_rollup_postgres(*, rules: dict[int, str], now, lock_namespace: int, unit_tree: str):
    """Recompute every roll-up of the metrics of ``rules`` (id: aggregation rule); returns
    the number of roll-up rows written or deleted. Runs in the caller's transaction."""
    metric_ids = sorted(rules)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for metric_id in metric_ids:  # id order: no deadlock with another run
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [lock_namespace, metric_id])
        # Marked days are covered by this run: readings committed after this statement
        # keep their marks for the next run.
        cursor.execute(f"DELETE FROM {PENDING} WHERE metric_id = ANY(%s)", [metric_ids])
        # The rows the roll-ups must hold, compared with those they hold: the new and
        # changed ones (stage side set) and the stale ones (stored side only). One metric
        # per statement: hash tables a twelfth the size are markedly faster to work.
        for position, metric_id in enumerate(metric_ids):
            into = (
                "CREATE TEMPORARY TABLE rollup_full_diff ON COMMIT DROP AS"
                if position == 0
                else "INSERT INTO rollup_full_diff"
            )
            cursor.execute(
                f"""
                {into}
                {_stage_sql(unit_tree, rules[metric_id])},
                stored AS (
                    SELECT id, metric_id, scope, scope_id, grain, period_start, value,
                           observation_count, observation_sum, last_observed_at
                    FROM {ROLLUP} WHERE metric_id = ANY(%s)
                )
                SELECT stored.id AS stale_id, staged.*
                FROM staged FULL JOIN stored
                  ON stored.metric_id = staged.metric_id AND stored.scope = staged.scope
                 AND stored.scope_id = staged.scope_id AND stored.grain = staged.grain
                 AND stored.period_start = staged.bucket
                WHERE stored.id IS NULL OR staged.metric_id IS NULL
                   OR stored.value <> staged.value OR stored.observation_count <> staged.cnt
                   OR stored.observation_sum <> staged.total
                   OR stored.last_observed_at <> staged.ts
                """,
                [[metric_id], [metric_id]],
            )
        cursor.execute("ANALYZE rollup_full_diff")
        cursor.execute(
            f"""
            DELETE FROM {ROLLUP} WHERE id IN (
                SELECT stale_id FROM rollup_full_diff WHERE metric_id IS NULL
            )
            """
        )
        written = max(cursor.rowcount, 0)
        cursor.execute(
            f"""
            INSERT INTO {ROLLUP} (
                metric_id, scope, scope_id, grain, period_start, value, observation_count,
                observation_sum, last_observed_at, computed_at
            )
            SELECT metric_id, scope, scope_id, grain, bucket, value, cnt, total, ts, %s
            FROM rollup_full_diff WHERE metric_id IS NOT NULL
            {ROLLUP_UPSERT}
            """,
            [now],
        )
        written += max(cursor.rowcount, 0)
        cursor.execute("DROP TABLE rollup_full_diff")
    return written
