"""Fixtures for strategy and goals: periods and a small goal cascade."""

from __future__ import annotations

from datetime import date

import pytest

from roadmaps.models import Goal, Period
from roadmaps.services import goal_create, goal_link_create, key_result_create


@pytest.fixture
def quarter(db) -> Period:
    return Period.objects.create(
        name="2026-Q4", kind=Period.Kind.QUARTER, start=date(2026, 10, 1), end=date(2026, 12, 31)
    )


@pytest.fixture
def next_quarter(db) -> Period:
    return Period.objects.create(
        name="2027-Q1", kind=Period.Kind.QUARTER, start=date(2027, 1, 1), end=date(2027, 3, 31)
    )


def make_goal(period: Period, title: str, *, owner=None, level=Goal.Level.TEAM, **fields) -> Goal:
    return goal_create(title=title, level=level, owner=owner, period=period, **fields)


def make_kr(
    goal: Goal, title: str = "KR", *, start=0, target=100, weight=1, direction="increase", **fields
):
    return key_result_create(
        goal=goal,
        title=title,
        start_value=start,
        target_value=target,
        weight=weight,
        direction=direction,
        **fields,
    )


@pytest.fixture
def cascade(cast, quarter):
    """Company goal ← unit goal (contributes, weight 2) ← team goal; plus a supporting goal."""
    company = make_goal(quarter, "Win the mid-market", owner=cast.top, level=Goal.Level.COMPANY)
    unit = make_goal(
        quarter, "Double payments revenue", owner=cast.leader, level=Goal.Level.BUSINESS_UNIT
    )
    team = make_goal(quarter, "Ship one-click checkout", owner=cast.report, level=Goal.Level.TEAM)
    support = make_goal(quarter, "Hire two PMs", owner=cast.peer, level=Goal.Level.TEAM)
    goal_link_create(child=unit, parent=company, weight=2)
    goal_link_create(child=team, parent=unit)
    goal_link_create(child=support, parent=company, kind="supports")
    return {"company": company, "unit": unit, "team": team, "support": support}
