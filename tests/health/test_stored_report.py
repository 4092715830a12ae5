"""The leader's stored health report: computed once, read by the dashboard for every
viewer, refreshed in the background when old, and masked per viewer when read."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from health import tasks
from health.models import FindingKind, HealthSnapshot, LeaderHealthReport
from health.selectors import PRIVATE_GOAL_SUBJECT, health_report_present, leader_health
from health.services import (
    health_report_for_viewer,
    health_report_refresh,
    health_report_refresh_claim,
    health_snapshot_all,
)
from roadmaps.models import Goal
from stakeholders.models import Alignment

from .conftest import PLANTS

pytestmark = pytest.mark.django_db

SECRET = "Acquire Globex quietly"


def _rows(report) -> list[tuple]:
    return [(f.kind, f.subject, f.url, f.detail, f.owner) for f in report.findings]


@pytest.fixture
def planted(org):
    for plant in PLANTS.values():
        plant(org)
    return org


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(tasks.refresh_report, "delay", ids.append)
    return ids


def test_the_stored_report_reads_as_the_live_one_for_every_viewer(planted):
    org = planted
    stored = health_report_refresh(leader=org.leader)
    for viewer in (org.leader.user, org.top.user, org.hr_user, org.alice.user, org.peer.user):
        live = leader_health(leader=org.leader, viewer_user=viewer, limit_per_kind=100)
        read = health_report_present(stored=stored, leader=org.leader, viewer_user=viewer)
        assert _rows(read) == _rows(live)
        assert read.score == live.score < 100
        assert read.breakdown == live.breakdown
        assert {f.kind for f in read.findings} == set(FindingKind.values)


def test_the_first_view_computes_and_stores_then_later_views_read_it(org):
    assert not LeaderHealthReport.objects.exists()
    first = health_report_for_viewer(leader=org.leader, viewer_user=org.leader.user)
    stored = LeaderHealthReport.objects.get(leader=org.leader)
    assert first.computed_at == stored.computed_at
    assert HealthSnapshot.objects.filter(leader=org.leader, taken_on=timezone.localdate()).exists()
    PLANTS[FindingKind.GOAL_UNALIGNED](org)  # a change the stored report does not know yet
    again = health_report_for_viewer(leader=org.leader, viewer_user=org.leader.user)
    assert again.computed_at == stored.computed_at
    assert again.score == first.score == 100
    assert not again.stale


def test_a_goal_made_private_after_the_report_was_stored_is_masked_when_read(org):
    goal = org.goal(SECRET, org.alice)  # public, aligned to nothing
    org.align(org.stakeholder("Vic"), goal=goal, status=Alignment.Status.BLOCKING)
    stored = health_report_refresh(leader=org.leader)
    assert SECRET not in json.dumps(stored.findings)  # goal titles are never stored
    Goal.objects.filter(pk=goal.pk).update(visibility=Goal.Visibility.PRIVATE)

    for viewer in (org.peer.user, org.outsider_user):
        report = health_report_present(stored=stored, leader=org.leader, viewer_user=viewer)
        assert SECRET not in repr(report.findings)
        assert f"/goals/{goal.pk}/" not in repr(report.findings)
        (unaligned,) = report.findings_of(FindingKind.GOAL_UNALIGNED)
        assert (unaligned.subject, unaligned.url) == (PRIVATE_GOAL_SUBJECT, "")
        (blocking,) = report.findings_of(FindingKind.STAKEHOLDER_BLOCKING)
        assert (blocking.subject, blocking.url) == (f"Vic on {PRIVATE_GOAL_SUBJECT}", "")

    for viewer in (org.alice.user, org.leader.user, org.top.user, org.hr_user):
        report = health_report_present(stored=stored, leader=org.leader, viewer_user=viewer)
        (unaligned,) = report.findings_of(FindingKind.GOAL_UNALIGNED)
        assert (unaligned.subject, unaligned.url) == (SECRET, f"/goals/{goal.pk}/")
        (blocking,) = report.findings_of(FindingKind.STAKEHOLDER_BLOCKING)
        assert blocking.subject == f"Vic on {SECRET}"


def test_a_seat_finding_stores_no_cost_and_links_per_viewer(org):
    PLANTS[FindingKind.SEAT_NO_BUDGET](org)
    stored = health_report_refresh(leader=org.leader)
    assert "120000" not in json.dumps(stored.findings)
    hr = health_report_present(stored=stored, leader=org.leader, viewer_user=org.hr_user)
    lead = health_report_present(stored=stored, leader=org.leader, viewer_user=org.leader.user)
    (hr_seat,) = hr.findings_of(FindingKind.SEAT_NO_BUDGET)
    (lead_seat,) = lead.findings_of(FindingKind.SEAT_NO_BUDGET)
    assert hr_seat.url.startswith("/admin/roles/position/")
    assert lead_seat.url == f"/people/{org.alice.pk}/"
    assert "120000" not in repr(hr.findings) + repr(lead.findings)


def _age(org, minutes: int) -> None:
    """``minutes`` pass for the leader's stored report (and for any refresh claimed)."""
    LeaderHealthReport.objects.filter(leader=org.leader).update(
        computed_at=F("computed_at") - timedelta(minutes=minutes),
        refresh_claimed_at=F("refresh_claimed_at") - timedelta(minutes=minutes),
    )


@override_settings(HEALTH_REPORT_MAX_AGE=15)
def test_an_old_report_is_shown_and_one_refresh_is_enqueued_after_commit(
    org, enqueued, django_capture_on_commit_callbacks
):
    health_report_refresh(leader=org.leader)
    _age(org, 10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fresh = health_report_for_viewer(leader=org.leader, viewer_user=org.leader.user)
    assert not fresh.stale
    assert callbacks == [] and enqueued == []

    _age(org, 10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        old = health_report_for_viewer(leader=org.leader, viewer_user=org.leader.user)
        assert enqueued == []  # nothing before the commit
    assert old.stale
    assert enqueued == [org.leader.pk]

    # Further views while the refresh is under way claim nothing more.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        health_report_for_viewer(leader=org.leader, viewer_user=org.top.user)
        health_report_for_viewer(leader=org.leader, viewer_user=org.hr_user)
    assert callbacks == []
    assert enqueued == [org.leader.pk]

    # The task refreshes it; once that is old again, the next view claims again.
    assert tasks.refresh_report(org.leader.pk) == 100
    assert not health_report_for_viewer(leader=org.leader, viewer_user=org.leader.user).stale
    _age(org, 20)
    with django_capture_on_commit_callbacks(execute=True):
        health_report_for_viewer(leader=org.leader, viewer_user=org.leader.user)
    assert enqueued == [org.leader.pk, org.leader.pk]


@override_settings(HEALTH_REPORT_MAX_AGE=15)
def test_a_claim_whose_task_was_lost_lapses_after_the_max_age(org):
    stored = health_report_refresh(leader=org.leader)
    _age(org, 60)
    LeaderHealthReport.objects.filter(pk=stored.pk).update(
        refresh_claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert not health_report_refresh_claim(stored=stored)  # claimed 5 minutes ago
    LeaderHealthReport.objects.filter(pk=stored.pk).update(
        refresh_claimed_at=timezone.now() - timedelta(minutes=16)
    )
    assert health_report_refresh_claim(stored=stored)  # that task never came
    assert not health_report_refresh_claim(stored=stored)


def test_the_refresh_task_returns_quietly_when_the_leader_is_gone(org):
    assert tasks.refresh_report.name == "health.refresh_report"
    assert tasks.refresh_report(999_999) is None
    org.peer.is_active = False
    org.peer.save()
    assert tasks.refresh_report(org.peer.pk) is None
    assert not LeaderHealthReport.objects.filter(leader=org.peer).exists()


def test_the_nightly_job_refreshes_every_leaders_report(org):
    PLANTS[FindingKind.GOAL_UNALIGNED](org)
    assert health_snapshot_all() == 3
    reports = dict(LeaderHealthReport.objects.values_list("leader_id", "score"))
    snapshots = dict(
        HealthSnapshot.objects.filter(taken_on=timezone.localdate()).values_list(
            "leader_id", "score"
        )
    )
    assert reports == snapshots
    assert set(reports) == {org.top.pk, org.leader.pk, org.peer.pk}
    assert reports[org.leader.pk] < 100


@override_settings(HEALTH_REPORT_FINDINGS_PER_KIND=2)
def test_it_keeps_the_first_findings_of_each_kind_and_every_count(org):
    for n in range(5):
        org.goal(f"Floating {n}", org.bob)
    stored = health_report_refresh(leader=org.leader)
    report = health_report_present(stored=stored, leader=org.leader, viewer_user=org.hr_user)
    assert [f.subject for f in report.findings_of(FindingKind.GOAL_UNALIGNED)] == [
        "Floating 0",
        "Floating 1",
    ]
    (count,) = [c for c in report.finding_counts() if c.kind == FindingKind.GOAL_UNALIGNED]
    assert (count.total, count.shown) == (5, 2)
    assert report.covers(per_kind=2)
    assert not report.covers(per_kind=3)
    assert report.covers(kind=FindingKind.SPAN_OUT_OF_RANGE, per_kind=None)
