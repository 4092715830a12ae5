"""The full roll-up on PostgreSQL: every metric, layer by layer, in a handful of statements.

A full run recomputes every bucket, so it does not need the per-metric loop of the
incremental runs: it locks the metrics (in id order, the order every run takes them),
then computes all of them at once, each layer a set-based statement into a temporary
table:

1. product × day from the raw readings (``CREATE TABLE … AS``, which PostgreSQL may run
   with parallel workers, unlike ``INSERT … SELECT``);
2. product × week / month / quarter from the product days, in one pass (grouping sets);
3. team, direct business unit and company × every grain from the product rows, in one
   pass (grouping sets); each unit then takes its subtree's direct rows (the unit tree,
   a recursive CTE).

One hash join of these rows with the stored roll-ups then finds the rows that are new,
changed or left without readings; only those are written (an upsert on the roll-up's
unique key) or deleted, so a repeated run reads but writes nothing.

Each row carries what combines exactly: the count, the sum, the extremes, and for the
rule *last* the key ``[time of the latest reading, tiebreak, value]`` whose maximum is
the latest reading (ties on time go to the higher reading id within a product, to the
higher product id across products, as the incremental runs do).
"""

from __future__ import annotations

from django.db import connection

from ..models import Metric, MetricObservation, MetricRollup, PendingRollup, Product
from ..models import RollupScope as Scope

OBS = MetricObservation._meta.db_table
ROLLUP = MetricRollup._meta.db_table
PRODUCT = Product._meta.db_table
METRIC = Metric._meta.db_table
PENDING = PendingRollup._meta.db_table

# Hash aggregates and the comparison join over millions of rows stay in memory.
WORK_MEM = "512MB"

_VALUE = """ROUND(CASE agg
    WHEN 'sum' THEN total
    WHEN 'average' THEN total * 1.0 / cnt
    WHEN 'min' THEN vmin
    WHEN 'max' THEN vmax
    ELSE lastk[array_upper(lastk, 1)]
END, 4)"""


def _epoch(column: str) -> str:
    return f"extract(epoch FROM {column})"


def full_rollup_postgres(*, metric_ids: list[int], now, lock_namespace: int, unit_tree: str):
    """Recompute every roll-up of ``metric_ids`` (already existing metrics); returns the
    number of roll-up rows written or deleted. Runs in the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        for metric_id in metric_ids:  # id order: no deadlock with another run
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [lock_namespace, metric_id])
        # Marked days are covered by this run: readings committed after this statement
        # keep their marks for the next run.
        cursor.execute(f"DELETE FROM {PENDING} WHERE metric_id = ANY(%s)", [metric_ids])

        # 1. product x day, from the raw readings.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE rollup_full_product ON COMMIT DROP AS
            SELECT o.metric_id, m.aggregation AS agg, o.product_id AS scope_id,
                   'day'::varchar(10) AS grain,
                   (o.timestamp AT TIME ZONE 'UTC')::date AS bucket,
                   count(*) AS cnt, sum(o.value) AS total, max(o.timestamp) AS ts,
                   min(o.value) AS vmin, max(o.value) AS vmax,
                   max(ARRAY[{_epoch("o.timestamp")}, o.id, o.value])
                       FILTER (WHERE m.aggregation = 'last') AS lastk
            FROM {OBS} AS o JOIN {METRIC} AS m ON m.id = o.metric_id
            WHERE o.metric_id = ANY(%s)
            GROUP BY o.metric_id, m.aggregation, o.product_id, 5
            """,
            [metric_ids],
        )
        # 2. product x week / month / quarter, from the product days.
        cursor.execute(
            f"""
            INSERT INTO rollup_full_product
            SELECT metric_id, agg, scope_id,
                   CASE WHEN GROUPING(wk) = 0 THEN 'week'
                        WHEN GROUPING(mo) = 0 THEN 'month' ELSE 'quarter' END,
                   COALESCE(wk, mo, qu),
                   sum(cnt), sum(total), max(ts), min(vmin), max(vmax),
                   max(ARRAY[{_epoch("ts")}, lastk[3]]) FILTER (WHERE agg = 'last')
            FROM (
                SELECT d.*,
                       date_trunc('week', bucket::timestamp)::date AS wk,
                       date_trunc('month', bucket::timestamp)::date AS mo,
                       date_trunc('quarter', bucket::timestamp)::date AS qu
                FROM rollup_full_product AS d
            ) AS days
            GROUP BY metric_id, agg, scope_id, GROUPING SETS ((wk), (mo), (qu))
            """
        )
        # 3. team, direct unit and company x every grain, from the product rows.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE rollup_full_group ON COMMIT DROP AS
            SELECT r.metric_id, r.agg, r.grain, r.bucket,
                   CASE WHEN GROUPING(p.team_id) = 0 THEN 'team'
                        WHEN GROUPING(p.business_unit_id) = 0 THEN 'unit'
                        ELSE 'company' END AS kind,
                   COALESCE(p.team_id, p.business_unit_id, 0) AS scope_id,
                   sum(r.cnt) AS cnt, sum(r.total) AS total, max(r.ts) AS ts,
                   min(r.vmin) AS vmin, max(r.vmax) AS vmax,
                   max(ARRAY[{_epoch("r.ts")}, r.scope_id, r.lastk[array_upper(r.lastk, 1)]])
                       FILTER (WHERE r.agg = 'last') AS lastk
            FROM rollup_full_product AS r JOIN {PRODUCT} AS p ON p.id = r.scope_id
            GROUP BY r.metric_id, r.agg, r.grain, r.bucket,
                     GROUPING SETS ((p.team_id), (p.business_unit_id), ())
            HAVING GROUPING(p.team_id) = 1 OR p.team_id IS NOT NULL
            """
        )
        # ... and each unit its whole subtree.
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE rollup_full_unit ON COMMIT DROP AS
            {unit_tree}
            SELECT g.metric_id, g.agg, g.grain, g.bucket, unit_tree.ancestor_id AS scope_id,
                   sum(g.cnt) AS cnt, sum(g.total) AS total, max(g.ts) AS ts,
                   min(g.vmin) AS vmin, max(g.vmax) AS vmax, max(g.lastk) AS lastk
            FROM rollup_full_group AS g
            JOIN unit_tree ON unit_tree.unit_id = g.scope_id
            WHERE g.kind = 'unit'
            GROUP BY g.metric_id, g.agg, g.grain, g.bucket, unit_tree.ancestor_id
            """
        )
        cursor.execute("ANALYZE rollup_full_product")
        # The rows the roll-ups must hold, compared with those they hold: the new and
        # changed ones (stage side set) and the stale ones (stored side only).
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE rollup_full_diff ON COMMIT DROP AS
            WITH stage AS (
                SELECT metric_id, '{Scope.PRODUCT}' AS scope, scope_id, grain, bucket,
                       {_VALUE} AS value, cnt, total, ts
                FROM rollup_full_product
                UNION ALL
                SELECT metric_id,
                       CASE kind WHEN 'team' THEN '{Scope.TEAM}' ELSE '{Scope.COMPANY}' END,
                       scope_id, grain, bucket, {_VALUE}, cnt, total, ts
                FROM rollup_full_group WHERE kind <> 'unit'
                UNION ALL
                SELECT metric_id, '{Scope.BUSINESS_UNIT}', scope_id, grain, bucket,
                       {_VALUE}, cnt, total, ts
                FROM rollup_full_unit
            ), stored AS (
                SELECT id, metric_id, scope, scope_id, grain, period_start, value,
                       observation_count, observation_sum, last_observed_at
                FROM {ROLLUP} WHERE metric_id = ANY(%s)
            )
            SELECT stored.id AS stale_id, stage.*
            FROM stage FULL JOIN stored
              ON stored.metric_id = stage.metric_id AND stored.scope = stage.scope
             AND stored.scope_id = stage.scope_id AND stored.grain = stage.grain
             AND stored.period_start = stage.bucket
            WHERE stored.id IS NULL OR stage.metric_id IS NULL
               OR stored.value <> stage.value OR stored.observation_count <> stage.cnt
               OR stored.observation_sum <> stage.total OR stored.last_observed_at <> stage.ts
            """,
            [metric_ids],
        )
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
            """,
            [now],
        )
        written += max(cursor.rowcount, 0)
        for table in ["diff", "unit", "group", "product"]:
            cursor.execute(f"DROP TABLE rollup_full_{table}")
    return written
