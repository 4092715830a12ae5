"""A private goal counts in the leader's score but is never named to a viewer who may
not see it; seat findings never carry a cost."""

from __future__ import annotations

import pytest

from health.models import FindingKind
from health.selectors import PRIVATE_GOAL_SUBJECT, leader_health
from roadmaps.models import Goal
from roles.models import Position, Role
from stakeholders.models import Alignment

pytestmark = pytest.mark.django_db

SECRET = "Acquire Globex quietly"


@pytest.fixture
def secret_goal(org):
    goal = org.goal(SECRET, org.alice, visibility=Goal.Visibility.PRIVATE)  # aligns to nothing
    org.align(org.stakeholder("Vic"), goal=goal, status=Alignment.Status.BLOCKING)
    return goal


def _text(report) -> str:
    return repr(report.findings)


def test_a_viewer_who_may_not_see_the_goal_gets_no_title_and_no_link(org, secret_goal):
    for viewer in (org.peer.user, org.outsider_user, None):
        report = leader_health(leader=org.leader, viewer_user=viewer)
        assert SECRET not in _text(report)
        assert f"/goals/{secret_goal.pk}/" not in _text(report)
        unaligned = report.findings_of(FindingKind.GOAL_UNALIGNED)
        assert [(f.subject, f.url) for f in unaligned] == [(PRIVATE_GOAL_SUBJECT, "")]
        (blocking,) = report.findings_of(FindingKind.STAKEHOLDER_BLOCKING)
        assert blocking.subject == f"Vic on {PRIVATE_GOAL_SUBJECT}"
        assert blocking.url == ""


def test_the_owner_chain_and_hr_see_the_goal(org, secret_goal):
    for viewer in (org.alice.user, org.leader.user, org.top.user, org.hr_user):
        report = leader_health(leader=org.leader, viewer_user=viewer)
        (unaligned,) = report.findings_of(FindingKind.GOAL_UNALIGNED)
        assert unaligned.subject == SECRET
        assert unaligned.url == f"/goals/{secret_goal.pk}/"


def test_the_score_counts_the_private_goal_whoever_looks(org, secret_goal):
    scores = {
        leader_health(leader=org.leader, viewer_user=viewer).score
        for viewer in (org.peer.user, org.leader.user, org.hr_user, None)
    }
    assert len(scores) == 1
    assert scores.pop() < 100


def test_a_seat_finding_never_shows_its_cost_or_any_other(org):
    # The healthy org already has a seat budgeted at 120000 under the leader.
    Position.objects.create(
        role=Role.objects.get(name="Product Manager"),
        reports_to=org.bob,
        status=Position.Status.OPEN,
    )
    for viewer in (org.hr_user, org.leader.user, org.peer.user):
        report = leader_health(leader=org.leader, viewer_user=viewer)
        (seat,) = report.findings_of(FindingKind.SEAT_NO_BUDGET)
        assert "120000" not in _text(report)
        assert "no budget" in seat.detail
