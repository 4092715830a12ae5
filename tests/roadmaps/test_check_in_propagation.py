"""A check-in moves every goal above it, at a cost bounded by its ancestors."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from roadmaps.models import Goal, KeyResult
from roadmaps.services import check_in_create, goal_link_create

from .conftest import make_goal, make_kr


def test_check_in_moves_every_ancestor(cast, cascade):
    kr = make_kr(cascade["team"], start=0, target=10)
    check_in_create(key_result=kr, author=cast.report, value=5, confidence=7, note="Halfway")
    progress = dict(Goal.objects.values_list("title", "progress"))
    assert progress["Ship one-click checkout"] == D("50.00")
    assert progress["Double payments revenue"] == D("50.00")
    assert progress["Win the mid-market"] == D("50.00")
    team = Goal.objects.get(pk=cascade["team"].pk)
    assert team.confidence == 7
    assert team.last_check_in_at is not None


def _chain(quarter, depth):
    goals = [make_goal(quarter, f"Level {i}") for i in range(depth)]
    for child, parent in zip(goals[1:], goals[:-1], strict=True):
        goal_link_create(child=child, parent=parent)
    return goals


def test_check_in_cost_does_not_grow_with_the_organisation(
    cast, quarter, django_assert_num_queries
):
    goals = _chain(quarter, 4)
    kr = make_kr(goals[-1], start=0, target=10)
    # Unrelated goals elsewhere in the organisation must not change the cost.
    Goal.objects.bulk_create(
        Goal(title=f"Unrelated {i}", level="team", period=quarter) for i in range(50)
    )

    def check_in():
        check_in_create(key_result=kr, author=cast.report, value=3)

    # savepoint, lock the KR (joined with its goal), insert the check-in, update the KR,
    # update the goal's last check-in; then the recompute: ancestors (recursive CTE),
    # lock the 4 goals, their KR terms, their contributing links, one bulk update;
    # release savepoint.
    with django_assert_num_queries(11):
        check_in()
    Goal.objects.bulk_create(
        Goal(title=f"Unrelated {i}", level="team", period=quarter) for i in range(5000)
    )
    with django_assert_num_queries(11):
        check_in_create(key_result=kr, author=cast.report, value=4)
    assert Goal.objects.get(pk=goals[0].pk).progress == D("40.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("siblings", ["key results of one goal", "key results of sibling goals"])
def test_concurrent_check_ins_on_sibling_key_results_both_land(
    require_postgres, cast, quarter, siblings
):
    """Two connections check in at the same instant, round after round.

    Without the goal locks each transaction would compute the shared ancestor from the
    other's stale value and the last writer would win with a wrong number.
    """
    parent = make_goal(quarter, "Parent", level=Goal.Level.COMPANY)
    goal = make_goal(quarter, "Goal", owner=cast.report)
    goal_link_create(child=goal, parent=parent)
    if siblings == "key results of one goal":
        krs = [make_kr(goal, f"KR {i}", start=0, target=100) for i in range(2)]
    else:
        children = [make_goal(quarter, f"Child {i}", owner=cast.report) for i in range(2)]
        for child in children:
            goal_link_create(child=child, parent=goal)
        krs = [make_kr(child, "KR", start=0, target=100) for child in children]
    errors = []
    wrong_rounds = []

    for round_no in range(1, 13):
        barrier = threading.Barrier(2)
        values = (round_no * 7 % 101, round_no * 13 % 101)

        def worker(kr, value, barrier=barrier):
            try:
                key_result = KeyResult.objects.get(pk=kr.pk)
                barrier.wait()
                check_in_create(key_result=key_result, author=None, value=value)
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=worker, args=(kr, v)) for kr, v in zip(krs, values, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = D(sum(values)) / 2
        if (
            Goal.objects.get(pk=goal.pk).progress != expected
            or Goal.objects.get(pk=parent.pk).progress != expected
        ):
            wrong_rounds.append(round_no)

    assert not errors
    assert not wrong_rounds
