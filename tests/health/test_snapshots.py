"""Daily snapshots: one per leader and day, re-runs update; the trend reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from health import tasks
from health.models import FindingKind, HealthSnapshot
from health.selectors import leader_health, leader_health_trend
from health.services import health_leaders, health_snapshot_all, health_snapshot_take

from .conftest import PLANTS

pytestmark = pytest.mark.django_db


def test_a_snapshot_keeps_the_score_and_the_breakdown(org):
    PLANTS[FindingKind.SEAT_NO_BUDGET](org)
    snapshot = health_snapshot_take(leader=org.leader)
    report = leader_health(leader=org.leader, viewer_user=None)
    assert snapshot.taken_on == timezone.localdate()
    assert snapshot.score == report.score < 100
    seats = snapshot.breakdown[FindingKind.SEAT_NO_BUDGET]
    assert seats["failing"] == 1
    assert seats["checked"] == 2
    assert seats["penalty"] == 5.0
    assert set(snapshot.breakdown) == set(FindingKind.values)


def test_taking_it_again_the_same_day_updates_never_duplicates(org):
    first = health_snapshot_take(leader=org.leader)
    assert first.score == 100
    PLANTS[FindingKind.GOAL_UNALIGNED](org)
    second = health_snapshot_take(leader=org.leader)
    assert second.pk == first.pk is not None
    assert HealthSnapshot.objects.filter(leader=org.leader).count() == 1
    assert HealthSnapshot.objects.get(leader=org.leader).score == second.score < 100
    assert second.computed_at >= first.computed_at


def test_another_day_is_another_snapshot(org):
    today = timezone.localdate()
    health_snapshot_take(leader=org.leader, on=today - timedelta(days=1))
    health_snapshot_take(leader=org.leader, on=today)
    assert HealthSnapshot.objects.filter(leader=org.leader).count() == 2


def test_leaders_are_active_people_with_an_active_report(org):
    org.cleo.manager = org.bob
    org.cleo.save()
    gone = org.person("Gil", "Product Manager", org.cleo, active=False)
    assert gone
    # top (leader, peer), leader (alice, bob), bob (cleo), peer (Quinn); not cleo (Gil left)
    assert set(health_leaders()) == {org.top, org.leader, org.bob, org.peer}


def test_snapshot_all_takes_one_per_leader_and_is_idempotent(org):
    assert health_snapshot_all() == 3  # top, leader, peer
    assert health_snapshot_all() == 3
    assert HealthSnapshot.objects.count() == 3
    assert set(HealthSnapshot.objects.values_list("leader", flat=True)) == {
        org.top.pk,
        org.leader.pk,
        org.peer.pk,
    }


# Per leader, for today: leader_health without a viewer, listing the first findings of
# each kind for the stored report (12: goals 2, products 3, alignments 2, seats 2, spans
# 2, responsibility areas 1; see test_query_counts.py), the upsert of the report (1) and
# of the snapshot (1).
PER_LEADER = 12 + 1 + 1
# For another day, counts only (a limit of 0: 7 — goals 1, products 2, alignments 1,
# seats 1, spans 1, responsibility areas 1) and the upsert of the snapshot (1).
PER_LEADER_PAST_DAY = 7 + 1


def test_snapshot_all_reads_a_fixed_number_of_queries_per_leader(org, django_assert_num_queries):
    with django_assert_num_queries(1 + 3 * PER_LEADER):  # the leaders, then each one
        health_snapshot_all()
    org.person("Rex", "Product Manager", org.alice)  # a fourth leader: Alice
    with django_assert_num_queries(1 + 4 * PER_LEADER):
        health_snapshot_all()
    with django_assert_num_queries(1 + 4 * PER_LEADER_PAST_DAY):
        health_snapshot_all(on=timezone.localdate() - timedelta(days=1))


def test_the_trend_lists_the_last_days_oldest_first(org):
    today = timezone.localdate()
    for days_ago, score in ((120, 40), (60, 70), (1, 80), (0, 90)):
        HealthSnapshot.objects.create(
            leader=org.leader,
            taken_on=today - timedelta(days=days_ago),
            score=score,
            computed_at=timezone.now(),
        )
    HealthSnapshot.objects.create(
        leader=org.peer, taken_on=today, score=10, computed_at=timezone.now()
    )
    assert leader_health_trend(leader=org.leader) == [
        (today - timedelta(days=60), 70),
        (today - timedelta(days=1), 80),
        (today, 90),
    ]
    assert leader_health_trend(leader=org.leader, days=2) == [
        (today - timedelta(days=1), 80),
        (today, 90),
    ]


def test_the_tasks_are_registered_under_the_beat_names(org):
    assert tasks.snapshot_all.name == "health.snapshot_all"
    assert tasks.snapshot_leader.name == "health.snapshot_leader"
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="health.snapshot_all").exists()


def test_the_tasks_snapshot_and_return_quietly_when_the_person_is_gone(org):
    assert tasks.snapshot_all() == 3
    assert tasks.snapshot_leader(org.leader.pk) == 100
    assert tasks.snapshot_leader(999_999) is None
    org.peer.is_active = False
    org.peer.save()
    assert tasks.snapshot_leader(org.peer.pk) is None
    assert HealthSnapshot.objects.count() == 3
