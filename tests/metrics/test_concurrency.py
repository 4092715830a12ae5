"""Two roll-up runs at once agree with one run alone (PostgreSQL, real transactions).

Every write is an upsert on the roll-up's unique key, so two runs racing over the same
marked days, or two full runs, leave exactly the rows one run leaves (with plain
INSERTs the second run fails on the unique key). Each metric is recomputed under an
advisory lock so that runs do not interleave their writes to the same rows.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from roadmaps.models import MetricRollup, PendingRollup
from roadmaps.observations import observations_ingest
from roadmaps.rollups import metric_rollups_run

from .conftest import build_world, readings_rows

pytestmark = pytest.mark.postgres


def rows():
    return {
        (r.metric_id, r.scope, r.scope_id, r.grain, r.period_start): (r.value, r.observation_count)
        for r in MetricRollup.objects.all()
    }


def run_in_threads(*calls):
    errors = []
    barrier = threading.Barrier(len(calls))

    def target(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_concurrent_runs_agree_with_one_run(require_postgres, transactional_db, full):
    world = build_world()
    keys = [m.key for m in world.metrics.values()]
    for _round in range(3):
        MetricRollup.objects.all().delete()
        observations_ingest(rows=readings_rows(keys, source=f"round-{_round}"))
        run_in_threads(lambda: metric_rollups_run(full=full), lambda: metric_rollups_run(full=full))
        raced = rows()
        assert not PendingRollup.objects.exists()
        MetricRollup.objects.all().delete()
        metric_rollups_run(full=True)
        assert raced == rows()


def test_ingestion_during_a_run_is_not_lost(require_postgres, transactional_db):
    """Readings committed while a run works are either in it or marked for the next one."""
    world = build_world()
    key = world.metrics["sum"].key
    batches = [
        [
            {
                "metric": key,
                "product": "cards",
                "timestamp": f"2026-11-{day:02d}T{hour:02d}:00:00Z",
                "value": 1,
            }
            for hour in range(24)
        ]
        for day in range(1, 21)
    ]

    def ingest_all():
        for batch in batches:
            observations_ingest(rows=batch)

    def run_many():
        for _ in range(10):
            metric_rollups_run()

    run_in_threads(ingest_all, run_many)
    metric_rollups_run()
    total = MetricRollup.objects.get(
        metric=world.metrics["sum"], scope="company", grain="month", period_start="2026-11-01"
    )
    assert total.value == 20 * 24


def test_a_full_run_on_two_connections_agrees_with_the_incremental_run(
    require_postgres, transactional_db
):
    """Outside a transaction a full run splits the metrics between two connections; it
    leaves the rows the incremental run leaves, and a second one writes nothing."""
    world = build_world()
    observations_ingest(rows=readings_rows([m.key for m in world.metrics.values()]))
    metric_rollups_run()
    incremental = rows()
    MetricRollup.objects.all().delete()
    first = metric_rollups_run(full=True)
    assert first.metrics == 5 and first.rows_written == len(incremental)
    assert rows() == incremental
    assert metric_rollups_run(full=True).rows_written == 0
