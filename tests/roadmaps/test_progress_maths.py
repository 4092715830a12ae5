"""Progress maths on hand-computed examples."""

from decimal import Decimal as D

import pytest

from roadmaps.models import Goal
from roadmaps.progress import key_result_progress, weighted_progress
from roadmaps.selectors import goal_progress_explain
from roadmaps.services import check_in_create, goal_link_create

from .conftest import make_goal, make_kr


@pytest.mark.parametrize(
    ("start", "target", "current", "direction", "expected"),
    [
        (0, 100, 25, "increase", D("25.00")),
        (10, 20, 12, "increase", D("20.00")),
        (10, 20, 25, "increase", D("100.00")),  # overshoot clamps at 100
        (10, 20, 5, "increase", D("0.00")),  # below start clamps at 0
        (200, 100, 150, "decrease", D("50.00")),  # lower is better: halfway down
        (200, 100, 80, "decrease", D("100.00")),
        (200, 100, 230, "decrease", D("0.00")),
        (5, 5, 5, "increase", D("100")),  # target equals start: met
        (5, 5, 4, "increase", D("0")),
        (5, 5, 4, "decrease", D("100")),
        (0, 3, 1, "increase", D("33.33")),
    ],
)
def test_key_result_progress(start, target, current, direction, expected):
    assert (
        key_result_progress(
            start=D(start), target=D(target), current=D(current), direction=direction
        )
        == expected
    )


def test_weighted_mean_normalises_weights():
    assert weighted_progress([(D(100), D(1)), (D(40), D(3))]) == D("55.00")  # (100 + 120) / 4
    assert weighted_progress([]) == D(0)


def test_goal_progress_counts_key_results_and_contributing_children(cast, cascade):
    team, unit, company, support = (
        cascade["team"],
        cascade["unit"],
        cascade["company"],
        cascade["support"],
    )
    kr1 = make_kr(team, "Conversion", start=2, target=4, weight=1)  # → 50 % after the check-in
    kr2 = make_kr(team, "Latency", start=800, target=400, weight=3, direction="decrease")  # → 25 %
    check_in_create(key_result=kr1, author=cast.report, value=3)
    check_in_create(key_result=kr2, author=cast.report, value=700)
    kr_unit = make_kr(unit, "Revenue", start=0, target=10, weight=1)
    check_in_create(key_result=kr_unit, author=cast.leader, value=9)  # 90 %
    kr_support = make_kr(support, "Hires", start=0, target=2)
    check_in_create(key_result=kr_support, author=cast.peer, value=2)  # 100 %, but only supports

    for goal in (team, unit, company):
        goal.refresh_from_db()
    # team: (50×1 + 25×3) / 4 = 31.25
    assert team.progress == D("31.25")
    # unit: KR 90 (w1) and team 31.25 (w1): 60.625 → 60.63
    assert unit.progress == D("60.63")
    # company: only the unit contributes (weight 2); the supporting goal is not counted
    assert company.progress == D("60.63")

    explanation = goal_progress_explain(user=cast.hr_user, goal=company)
    counted = explanation.counted_terms
    assert [(t.title, t.share) for t in counted] == [("Double payments revenue", D(1))]
    assert [t.title for t in explanation.terms if not t.counted] == ["Hire two PMs"]


def test_a_goal_with_several_parents_moves_them_all(cast, quarter):
    a = make_goal(quarter, "Parent A", level=Goal.Level.COMPANY)
    b = make_goal(quarter, "Parent B", level=Goal.Level.COMPANY, owner=cast.peer)
    child = make_goal(quarter, "Shared child", owner=cast.report)
    goal_link_create(child=child, parent=a)
    goal_link_create(child=child, parent=b, weight=3)
    make_kr(b, "B's own KR", start=0, target=1)  # 0 %
    kr = make_kr(child, start=0, target=10)
    check_in_create(key_result=kr, author=cast.report, value=4)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.progress == D("40.00")
    assert b.progress == D("30.00")  # (0×1 + 40×3) / 4


def test_explanation_lists_each_term_and_its_share(cast, quarter):
    goal = make_goal(quarter, "Goal", owner=cast.report)
    k1 = make_kr(goal, "One", start=0, target=10, weight=1)
    k2 = make_kr(goal, "Two", start=0, target=10, weight=3)
    check_in_create(key_result=k1, author=cast.report, value=10)
    check_in_create(key_result=k2, author=cast.report, value=2)
    goal.refresh_from_db()
    explanation = goal_progress_explain(user=cast.report_user, goal=goal)
    assert [(t.title, t.progress, t.share, t.contribution) for t in explanation.terms] == [
        ("One", D("100.00"), D("0.25"), D("25.00")),
        ("Two", D("20.00"), D("0.75"), D("15.00")),
    ]
    assert goal.progress == D("40.00")
    assert explanation.formula == "(100.00% × 1.00 + 20.00% × 3.00) ÷ 4.00 = 40.00%"


def test_private_child_goal_is_explained_without_its_title(cast, quarter):
    parent = make_goal(quarter, "Public parent", owner=cast.top, level=Goal.Level.COMPANY)
    secret = make_goal(
        quarter, "Secret plan", owner=cast.report, visibility=Goal.Visibility.PRIVATE
    )
    goal_link_create(child=secret, parent=parent)
    peer_view = goal_progress_explain(user=cast.peer_user, goal=parent)
    assert [t.title for t in peer_view.terms] == ["A private goal"]
    leader_view = goal_progress_explain(user=cast.leader_user, goal=parent)
    assert [t.title for t in leader_view.terms] == ["Secret plan"]
