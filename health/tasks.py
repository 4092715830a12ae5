"""Celery tasks of alignment health: thin wrappers around ``health.services``.

Beat runs ``health.snapshot_all`` nightly (its row is created by a migration): it
refreshes every leader's stored report and takes today's snapshots. A dashboard that
finds a leader's report too old claims ``health.refresh_report`` for it (once, in the
database); ``health.snapshot_leader`` takes one snapshot on demand. Tasks take ids and exit
quietly when the row is gone; a database hiccup is retried with backoff.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from roles.models import Person

from . import services

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "max_retries": 3,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}


@shared_task(name="health.snapshot_all", **RETRY)
def snapshot_all() -> int:
    """Snapshot every leader's health for today (idempotent: re-runs update today's rows)."""
    return services.health_snapshot_all()


@shared_task(name="health.snapshot_leader", **RETRY)
def snapshot_leader(person_id: int) -> int | None:
    """Snapshot one leader's health now; the score, or None when the person is gone."""
    leader = Person.objects.filter(pk=person_id, is_active=True).first()
    if leader is None:
        return None
    return services.health_snapshot_take(leader=leader).score


@shared_task(name="health.refresh_report", **RETRY)
def refresh_report(person_id: int) -> int | None:
    """Recompute and store one leader's health report; the score, or None when gone."""
    leader = Person.objects.filter(pk=person_id, is_active=True).first()
    if leader is None:
        return None
    return services.health_report_refresh(leader=leader).score
