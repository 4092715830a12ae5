"""The edges of each rule, and the score arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from health.models import FindingKind
from health.selectors import WEIGHTS, health_breakdown, health_score, leader_health
from roadmaps.models import Cadence, Goal, LifecycleStage, Period
from roles.models import Position, Role
from stakeholders.models import Review

from .conftest import PLANTS

pytestmark = pytest.mark.django_db

K = FindingKind


def _kinds(org, **kwargs) -> list[tuple[str, str]]:
    report = leader_health(leader=org.leader, viewer_user=org.hr_user, **kwargs)
    return [(f.kind, f.subject) for f in report.findings]


def _entry(org, kind, **kwargs):
    report = leader_health(leader=org.leader, viewer_user=org.hr_user, **kwargs)
    return next(e for e in report.breakdown if e.kind == kind)


# --- Score arithmetic -----------------------------------------------------------------


def test_weights_add_up_to_100_over_every_kind():
    assert set(WEIGHTS) == set(FindingKind)
    assert sum(WEIGHTS.values()) == 100


def test_penalty_is_weight_times_the_failing_share():
    breakdown = health_breakdown(
        checked={K.GOAL_UNALIGNED: 4, K.SEAT_NO_BUDGET: 3, K.SPAN_OUT_OF_RANGE: 0},
        failing={K.GOAL_UNALIGNED: 1, K.SEAT_NO_BUDGET: 3},
    )
    by_kind = {e.kind: e for e in breakdown}
    assert by_kind[K.GOAL_UNALIGNED].penalty == 3.75  # 15 × 1/4
    assert by_kind[K.SEAT_NO_BUDGET].penalty == 10  # 10 × 3/3
    assert by_kind[K.SPAN_OUT_OF_RANGE].penalty == 0  # nothing checked: no penalty
    assert health_score(breakdown=breakdown) == 86  # round(100 − 13.75)


def test_everything_failing_scores_zero():
    checked = dict.fromkeys(FindingKind, 2)
    assert health_score(breakdown=health_breakdown(checked=checked, failing=checked)) == 0


def test_nothing_to_check_scores_100():
    assert health_score(breakdown=health_breakdown(checked={}, failing={})) == 100


# --- Goals ----------------------------------------------------------------------------


def test_company_goals_need_no_parent_and_cancelled_goals_are_not_checked(org):
    org.goal("Another company goal", org.bob, level=Goal.Level.COMPANY)
    org.goal("Dropped idea", org.bob, status=Goal.Status.CANCELLED)
    assert _kinds(org) == []


def test_goals_of_other_periods_are_not_checked(org):
    today = timezone.localdate()
    past = Period.objects.create(
        name="Past",
        kind="quarter",
        start=today - timedelta(days=200),
        end=today - timedelta(days=100),
    )
    Goal.objects.create(title="Old floating goal", owner=org.bob, period=past, level="team")
    assert _kinds(org) == []
    # …but they are for a day inside that period.
    assert (K.GOAL_UNALIGNED, "Old floating goal") in _kinds(org, today=past.start)


@pytest.mark.parametrize("cadence", list(Cadence))
def test_a_check_in_is_due_within_the_goal_s_cadence(org, cadence):
    days = {"weekly": 7, "biweekly": 14, "monthly": 31, "quarterly": 92}[cadence]
    now = timezone.now()
    org.goal(
        "Just in time",
        org.bob,
        parent=org.leader_goal,
        check_in_cadence=cadence,
        last_check_in_at=now - timedelta(days=days - 1),
    )
    org.goal(
        "Too late",
        org.bob,
        parent=org.leader_goal,
        check_in_cadence=cadence,
        last_check_in_at=now - timedelta(days=days + 1),
    )
    assert _kinds(org) == [(K.GOAL_NO_CHECK_IN, "Too late")]


def test_a_goal_never_checked_in_is_late_only_once_its_cadence_has_passed(org):
    fresh = org.goal("Fresh", org.bob, parent=org.leader_goal, last_check_in_at=None)
    old = org.goal("Old", org.bob, parent=org.leader_goal, last_check_in_at=None)
    Goal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert _kinds(org) == [(K.GOAL_NO_CHECK_IN, "Old")]
    assert fresh  # created today: not late yet


def test_finished_goals_need_no_check_in(org):
    for status in (Goal.Status.ACHIEVED, Goal.Status.MISSED):
        org.goal(
            f"Done {status}",
            org.bob,
            parent=org.leader_goal,
            status=status,
            last_check_in_at=timezone.now() - timedelta(days=60),
        )
    assert _kinds(org) == []


# --- Products ---------------------------------------------------------------------------


def test_retired_products_are_not_checked(org):
    before = _entry(org, K.PRODUCT_NO_LIFECYCLE_REVIEW).checked
    org.product_for("Old thing", org.bob, stage=LifecycleStage.RETIRED)
    assert _kinds(org) == []
    assert _entry(org, K.PRODUCT_NO_LIFECYCLE_REVIEW).checked == before


def test_an_upcoming_lifecycle_review_within_the_cadence_counts(org):
    product = org.product_for("Wallet", org.cleo, stage=LifecycleStage.PMF)
    for key in ("retention_d30", "nps"):
        org.observe(product, key)
    due = timezone.now() + timedelta(days=10)  # pmf: every 14 days
    review = Review.objects.create(
        kind=Review.Kind.LIFECYCLE_REVIEW,
        title="Wallet review",
        product=product,
        owner=org.cleo,
        anchor_at=due,
        due_at=due,
    )
    assert _kinds(org) == []
    Review.objects.filter(pk=review.pk).update(due_at=timezone.now() + timedelta(days=40))
    assert _kinds(org) == [(K.PRODUCT_NO_LIFECYCLE_REVIEW, "Wallet")]  # too far off
    Review.objects.filter(pk=review.pk).update(due_at=timezone.now() - timedelta(days=1))
    assert _kinds(org) == [(K.PRODUCT_NO_LIFECYCLE_REVIEW, "Wallet")]  # overdue


def test_other_kinds_of_review_do_not_count_as_lifecycle_reviews(org):
    Review.objects.filter(product=org.product).update(kind=Review.Kind.ROADMAP_REVIEW)
    assert _kinds(org) == [(K.PRODUCT_NO_LIFECYCLE_REVIEW, "Checkout")]


def test_without_stage_policies_products_are_not_checked(org):
    from roadmaps.models import StagePolicy

    PLANTS[K.PRODUCT_MISSING_METRICS](org)
    PLANTS[K.PRODUCT_NO_LIFECYCLE_REVIEW](org)
    StagePolicy.objects.all().delete()
    assert _kinds(org) == []
    assert _entry(org, K.PRODUCT_MISSING_METRICS).checked == 0
    assert _entry(org, K.PRODUCT_NO_LIFECYCLE_REVIEW).checked == 0


# --- Stakeholders -----------------------------------------------------------------------


def test_an_alignment_without_a_touchpoint_date_goes_by_its_last_confirmation(org):
    stale = org.align(org.stakeholder("Sid"), goal=org.alice_goal)
    stale.next_touchpoint_due = None
    stale.cadence = Cadence.WEEKLY
    stale.last_confirmed_at = timezone.now() - timedelta(days=9)
    stale.save()
    recent = org.align(org.stakeholder("Ray"), goal=org.leader_goal)
    recent.next_touchpoint_due = None
    recent.save()  # confirmed just now
    assert _kinds(org) == [(K.STAKEHOLDER_UNCONFIRMED, "Sid on Double activation")]


def test_alignments_on_the_peer_s_goals_are_not_the_leader_s(org):
    peer_goal = org.goal("Peer's aligned goal", org.peer, parent=org.company_goal)
    org.align(org.stakeholder("Nell"), goal=peer_goal, status="blocking", due_in=-9)
    assert _kinds(org) == []


# --- Seats, spans, responsibilities -----------------------------------------------------


def test_only_open_seats_need_a_budget(org):
    role = Role.objects.get(name="Product Manager")
    Position.objects.create(role=role, reports_to=org.bob, status=Position.Status.PLANNED)
    Position.objects.create(role=role, reports_to=org.bob, status=Position.Status.FROZEN)
    assert _kinds(org) == []


def test_a_span_above_the_maximum_is_found(org, settings):
    settings.HEALTH_SPAN_MAX = 2
    assert _kinds(org) == [(K.SPAN_OUT_OF_RANGE, org.leader.full_name)]


def test_reports_who_left_do_not_count_in_a_span(org):
    org.bob.is_active = False
    org.bob.save()
    assert _kinds(org) == [(K.SPAN_OUT_OF_RANGE, org.leader.full_name)]  # 2 < 3


def test_responsibilities_follow_the_roles_people_hold(org):
    # Senior PMs are the only holders of stakeholder management (R) under the leader.
    for person in (org.alice, org.bob, org.cleo):
        person.role = Role.objects.get(name="Associate Product Manager")
        person.save()
    subjects = {s for kind, s in _kinds(org) if kind == K.RESPONSIBILITY_UNHELD}
    assert subjects == {"Roadmap", "Product performance", "Stakeholder management"}
