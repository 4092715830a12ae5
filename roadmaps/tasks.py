"""Celery tasks of metrics: thin wrappers around ``roadmaps.rollups``.

Beat runs the roll-up hourly (a row in the database); ingestion also enqueues it after
each upload commits. The work to do is in the database (``PendingRollup``), so a lost
or duplicated message changes nothing: the next run finds the same rows.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import rollups

logger = logging.getLogger(__name__)


@shared_task(name="metrics.roll_up", acks_late=True, reject_on_worker_lost=True)
def roll_up(full: bool = False) -> dict[str, int]:
    """Recompute the roll-ups of every metric day marked since the last run."""
    result = rollups.metric_rollups_run(full=full)
    return {"metrics": result.metrics, "periods": result.periods, "rows": result.rows_written}


def enqueue_rollup() -> None:
    """Ask a worker to roll up now; if the broker is down, the hourly run catches up."""
    try:
        roll_up.delay()
    except Exception:  # broker unreachable: PendingRollup rows keep the work
        logger.warning("Broker unavailable; metric roll-up left for the hourly run")
