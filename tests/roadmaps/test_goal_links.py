"""Goal links never form a cycle and only join goals whose periods overlap."""

import pytest

from productorg.errors import ApplicationError
from roadmaps.models import Goal, GoalLink, Period
from roadmaps.services import goal_link_create, goal_update

from .conftest import make_goal


def test_a_link_that_closes_a_cycle_is_refused(cascade):
    with pytest.raises(ApplicationError) as exc:
        goal_link_create(child=cascade["company"], parent=cascade["team"])
    assert "cycle" in exc.value.field_errors["parent"][0]
    assert not GoalLink.objects.filter(child=cascade["company"]).exists()


def test_supporting_links_count_for_cycles_too(cascade):
    with pytest.raises(ApplicationError):
        goal_link_create(child=cascade["company"], parent=cascade["support"], kind="supports")


def test_a_goal_cannot_align_to_itself(cascade):
    with pytest.raises(ApplicationError, match="itself"):
        goal_link_create(child=cascade["team"], parent=cascade["team"])


def test_periods_must_overlap(cast, quarter, next_quarter):
    now = make_goal(quarter, "This quarter")
    later = make_goal(next_quarter, "Next quarter")
    with pytest.raises(ApplicationError, match="does not overlap"):
        goal_link_create(child=later, parent=now)
    year = Period.objects.create(
        name="FY2026", kind="year", start=quarter.start.replace(month=1), end=quarter.end
    )
    annual = make_goal(year, "Annual", level=Goal.Level.COMPANY)
    goal_link_create(child=now, parent=annual)  # a quarter inside its year is fine


def test_moving_a_linked_goal_to_a_disjoint_period_is_refused(cascade, next_quarter):
    with pytest.raises(ApplicationError) as exc:
        goal_update(goal=cascade["team"], period=next_quarter)
    assert "period" in exc.value.field_errors


def test_duplicate_link_is_refused(cascade):
    with pytest.raises(ApplicationError, match="already aligns"):
        goal_link_create(child=cascade["team"], parent=cascade["unit"])
