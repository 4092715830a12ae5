"""Writes of the health app: daily snapshots of each leader's alignment health."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from roles.models import Person

from .models import HealthSnapshot
from .selectors import leader_health

logger = logging.getLogger(__name__)


@transaction.atomic
def health_snapshot_take(*, leader: Person, on: date | None = None) -> HealthSnapshot:
    """Record ``leader``'s score and breakdown for the day ``on`` (today by default).

    One snapshot per leader and day: taking it again the same day updates that row
    (the unique key on leader and day is the guard), so re-runs never duplicate.
    The findings are computed as nobody in particular sees them; only counts are kept.
    """
    on = on or timezone.localdate()
    report = leader_health(leader=leader, viewer_user=None, today=on)
    snapshot, _ = HealthSnapshot.objects.update_or_create(
        leader=leader,
        taken_on=on,
        defaults={
            "score": report.score,
            "breakdown": report.breakdown_by_kind(),
            "computed_at": timezone.now(),
        },
    )
    return snapshot


def health_leaders():
    """Everyone who leads: active people with at least one active direct report (one query)."""
    return (
        Person.objects.filter(is_active=True)
        .filter(Exists(Person.objects.filter(manager_id=OuterRef("pk"), is_active=True)))
        .order_by("pk")
    )


def health_snapshot_all(*, on: date | None = None) -> int:
    """Snapshot every leader's health for the day ``on``; returns how many were taken.

    Each leader is its own transaction (a fixed number of queries each), so one failure
    does not lose the others' snapshots and a re-run the same day only updates rows.
    """
    on = on or timezone.localdate()
    taken = 0
    for leader in health_leaders().iterator(chunk_size=500):
        health_snapshot_take(leader=leader, on=on)
        taken += 1
    logger.info("Took %d health snapshots for %s", taken, on)
    return taken
