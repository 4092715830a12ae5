"""Writes of the health app: daily snapshots of each leader's alignment health."""

from __future__ import annotations

import logging
from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone

from roles.models import Person

from .models import HealthSnapshot
from .selectors import leader_health

logger = logging.getLogger(__name__)


def health_snapshot_take(*, leader: Person, on: date | None = None) -> HealthSnapshot:
    """Record ``leader``'s score and breakdown for the day ``on`` (today by default).

    One snapshot per leader and day: taking it again the same day updates that row in
    one upsert on the unique key (leader, day), so re-runs, even concurrent ones, never
    duplicate. Only the counts are kept, so only the counts are read (a limit of 0:
    no finding is listed), as nobody in particular sees them.
    """
    on = on or timezone.localdate()
    report = leader_health(leader=leader, viewer_user=None, today=on, limit_per_kind=0)
    snapshot = HealthSnapshot(
        leader=leader,
        taken_on=on,
        score=report.score,
        breakdown=report.breakdown_by_kind(),
        computed_at=timezone.now(),
    )
    snapshot.clean_fields(exclude=["leader"])
    (snapshot,) = HealthSnapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["leader", "taken_on"],
        update_fields=["score", "breakdown", "computed_at"],
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

    Each leader's snapshot is one upsert (after a fixed number of reads), so a failure
    does not lose the others' snapshots and a re-run the same day only updates rows.
    """
    on = on or timezone.localdate()
    taken = 0
    for leader in health_leaders().iterator(chunk_size=500):
        health_snapshot_take(leader=leader, on=on)
        taken += 1
    logger.info("Took %d health snapshots for %s", taken, on)
    return taken
