"""Writes of the health app: each leader's latest health report and daily snapshots."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from roles.models import Person

from .models import HealthSnapshot, LeaderHealthReport
from .selectors import (
    HealthReport,
    health_report_max_age,
    health_report_present,
    leader_health,
    stored_findings,
)

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
    report.computed_at = timezone.now()
    return _snapshot_upsert(leader=leader, on=on, report=report)


def _snapshot_upsert(*, leader: Person, on: date, report: HealthReport) -> HealthSnapshot:
    snapshot = HealthSnapshot(
        leader=leader,
        taken_on=on,
        score=report.score,
        breakdown=report.breakdown_by_kind(),
        computed_at=report.computed_at or timezone.now(),
    )
    snapshot.clean_fields(exclude=["leader"])
    (snapshot,) = HealthSnapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["leader", "taken_on"],
        update_fields=["score", "breakdown", "computed_at"],
    )
    return snapshot


def health_report_refresh(*, leader: Person) -> LeaderHealthReport:
    """Compute ``leader``'s alignment health now and store it: the leader's report (the
    first ``HEALTH_REPORT_FINDINGS_PER_KIND`` findings of each kind, with every count)
    and today's snapshot, from the same computation.

    Each is one upsert on its unique key, so a refresh racing another (a page's first
    view and the background task) never duplicates: the later one wins. The report is
    computed for nobody in particular; ``health_report_present`` decides what a viewer
    may see of it when it is read.
    """
    report = leader_health(
        leader=leader,
        viewer_user=None,
        limit_per_kind=settings.HEALTH_REPORT_FINDINGS_PER_KIND,
    )
    stored = LeaderHealthReport(
        leader=leader,
        score=report.score,
        breakdown=report.breakdown_by_kind(),
        findings=stored_findings(report.findings),
        limit_per_kind=settings.HEALTH_REPORT_FINDINGS_PER_KIND,
        computed_at=report.computed_at or timezone.now(),
    )
    stored.clean_fields(exclude=["leader"])
    (stored,) = LeaderHealthReport.objects.bulk_create(
        [stored],
        update_conflicts=True,
        unique_fields=["leader"],
        update_fields=["score", "breakdown", "findings", "limit_per_kind", "computed_at"],
    )
    _snapshot_upsert(leader=leader, on=timezone.localdate(), report=report)
    return stored


def health_report_refresh_claim(*, stored: LeaderHealthReport) -> bool:
    """Claim the background refresh of a stored report that is too old; whether this
    caller won it (then it enqueues the task after commit).

    One conditional UPDATE: it succeeds only while the report is still old and nobody
    has claimed a refresh since it was computed (or that claim is itself older than
    ``HEALTH_REPORT_MAX_AGE``, its task lost), so concurrent views enqueue one refresh.
    """
    now = timezone.now()
    max_age = health_report_max_age()
    claimed = (
        LeaderHealthReport.objects.filter(pk=stored.pk, computed_at__lt=now - max_age)
        .filter(
            Q(refresh_claimed_at__isnull=True)
            | Q(refresh_claimed_at__lt=F("computed_at"))
            | Q(refresh_claimed_at__lt=now - max_age)
        )
        .update(refresh_claimed_at=now)
    )
    if not claimed:
        return False
    leader_id = stored.leader_id

    def enqueue() -> None:
        from .tasks import refresh_report

        try:
            refresh_report.delay(leader_id)
        except Exception:  # the broker is down: the claim lapses and a later view retries
            logger.exception("Could not enqueue the health refresh of leader %s", leader_id)

    transaction.on_commit(enqueue)
    return True


def health_report_for_viewer(*, leader: Person, viewer_user) -> HealthReport:
    """The leader's stored health as ``viewer_user`` may see it; never computed on
    the way when one is stored.

    Nothing stored yet (a new leader): computed now and stored. Stored but older than
    ``HEALTH_REPORT_MAX_AGE``: shown as it is (the report says when it was computed) and
    a background refresh is claimed, so the next view is fresh. Queries: the stored
    report; then the goals the viewer may see among those it names; one UPDATE when it
    is old.
    """
    stored = LeaderHealthReport.objects.filter(leader=leader).first()
    if stored is None:
        stored = health_report_refresh(leader=leader)
    report = health_report_present(stored=stored, leader=leader, viewer_user=viewer_user)
    if report.stale:
        health_report_refresh_claim(stored=stored)
    return report


def health_leaders():
    """Everyone who leads: active people with at least one active direct report (one query)."""
    return (
        Person.objects.filter(is_active=True)
        .filter(Exists(Person.objects.filter(manager_id=OuterRef("pk"), is_active=True)))
        .order_by("pk")
    )


def health_snapshot_all(*, on: date | None = None) -> int:
    """Snapshot every leader's health for the day ``on``; returns how many were taken.

    For today, each leader's report is refreshed too (``health_report_refresh``: the
    snapshot comes from the same computation). Each leader's rows are upserts (after a
    fixed number of reads), so a failure does not lose the others' and a re-run the
    same day only updates rows.
    """
    today = timezone.localdate()
    on = on or today
    taken = 0
    for leader in health_leaders().iterator(chunk_size=500):
        if on == today:
            health_report_refresh(leader=leader)
        else:
            health_snapshot_take(leader=leader, on=on)
        taken += 1
    logger.info("Took %d health snapshots for %s", taken, on)
    return taken
