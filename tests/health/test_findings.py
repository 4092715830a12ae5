"""Each kind of finding appears exactly where it was planted, and nowhere else.

The crafted org (``tests/health/conftest.py``) is healthy by construction; the peer's
branch beside the leader carries one of every problem, which must never show up in
the leader's report.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from health.models import FindingKind
from health.selectors import WEIGHTS, leader_health

from .conftest import PLANTS

pytestmark = pytest.mark.django_db


def test_a_healthy_subtree_scores_100_with_every_rule_checked(org):
    report = leader_health(leader=org.leader, viewer_user=org.leader.user)
    assert report.findings == []
    assert report.score == 100
    for entry in report.breakdown:
        assert entry.checked > 0, entry.kind  # 100 because all pass, not because none ran
        assert entry.failing == 0
        assert entry.penalty == 0


def test_the_peer_branch_does_have_problems(org):
    report = leader_health(leader=org.peer, viewer_user=org.hr_user)
    kinds = {f.kind for f in report.findings}
    assert {
        FindingKind.GOAL_UNALIGNED,
        FindingKind.GOAL_NO_CHECK_IN,
        FindingKind.PRODUCT_MISSING_METRICS,
        FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW,
        FindingKind.STAKEHOLDER_BLOCKING,
        FindingKind.STAKEHOLDER_UNCONFIRMED,
        FindingKind.SEAT_NO_BUDGET,
        FindingKind.SPAN_OUT_OF_RANGE,
    } <= kinds
    assert report.score < 100


@pytest.mark.parametrize("kind", list(PLANTS), ids=str)
def test_each_planted_problem_is_found_once_and_alone(org, kind):
    subject = PLANTS[kind](org)

    report = leader_health(leader=org.leader, viewer_user=org.hr_user)

    assert [(f.kind, f.subject) for f in report.findings] == [(kind, subject)]
    entry = next(e for e in report.breakdown if e.kind == kind)
    assert entry.failing == 1
    assert entry.penalty == round(WEIGHTS[kind] / entry.checked, 2)
    assert report.score == round(100 - WEIGHTS[kind] / entry.checked)
    for other in report.breakdown:
        if other.kind != kind:
            assert other.failing == 0, other.kind


# A responsibility nobody holds is a gap of every subtree that lacks it (the peer's
# too); where it is held instead is checked by the test with the top below.
@pytest.mark.parametrize(
    "kind", [k for k in PLANTS if k != FindingKind.RESPONSIBILITY_UNHELD], ids=str
)
def test_a_planted_problem_stays_out_of_the_peer_branch(org, kind):
    subject = PLANTS[kind](org)
    report = leader_health(leader=org.peer, viewer_user=org.hr_user)
    assert subject not in {f.subject for f in report.findings}


def test_all_plants_together_give_one_finding_of_each_kind(org):
    subjects = {kind: plant(org) for kind, plant in PLANTS.items()}

    report = leader_health(leader=org.leader, viewer_user=org.hr_user)

    assert sorted((f.kind, f.subject) for f in report.findings) == sorted(subjects.items())
    assert [f.kind for f in report.findings] == list(PLANTS)  # ordered by kind
    expected = 100 - sum(e.weight * e.failing / e.checked for e in report.breakdown)
    assert report.score == round(expected)
    assert report.score < 100


def test_findings_link_to_the_page_where_they_are_fixed(org):
    for plant in PLANTS.values():
        plant(org)
    by_kind = {
        f.kind: f for f in leader_health(leader=org.leader, viewer_user=org.hr_user).findings
    }
    goal = org.alice_goal.__class__.objects.get(title="Bob's floating goal")
    assert by_kind[FindingKind.GOAL_UNALIGNED].url == reverse("goal-detail", args=[goal.pk])
    assert by_kind[FindingKind.GOAL_UNALIGNED].owner == "Bob"
    assert by_kind[FindingKind.STAKEHOLDER_BLOCKING].url == reverse(
        "product-detail", args=[org.product.pk]
    )
    assert by_kind[FindingKind.STAKEHOLDER_UNCONFIRMED].url == reverse(
        "goal-detail", args=[org.alice_goal.pk]
    )
    assert by_kind[FindingKind.SPAN_OUT_OF_RANGE].url == reverse("person-detail", args=[org.bob.pk])
    assert by_kind[FindingKind.SPAN_OUT_OF_RANGE].detail.startswith("1 active direct report,")
    assert "revenue" in by_kind[FindingKind.PRODUCT_MISSING_METRICS].detail
    assert "weekly_active_users" not in by_kind[FindingKind.PRODUCT_MISSING_METRICS].detail
    seat = by_kind[FindingKind.SEAT_NO_BUDGET]
    assert seat.url.startswith("/admin/roles/position/")  # HR fixes seats in the admin
    assert seat.owner == "Alice"


def test_a_non_hr_viewer_is_sent_to_the_person_page_for_a_seat(org):
    plant_seat = PLANTS[FindingKind.SEAT_NO_BUDGET]
    plant_seat(org)
    (finding,) = leader_health(leader=org.leader, viewer_user=org.leader.user).findings
    assert finding.url == reverse("person-detail", args=[org.alice.pk])
    assert "120000" not in finding.detail


def test_the_top_sees_the_leader_s_problems_but_holds_what_the_leader_lacks(org):
    plant_goal_subject = PLANTS[FindingKind.GOAL_UNALIGNED](org)
    area = PLANTS[FindingKind.RESPONSIBILITY_UNHELD](org)
    subjects = {f.subject for f in leader_health(leader=org.top, viewer_user=org.hr_user).findings}
    assert plant_goal_subject in subjects
    assert area not in subjects
