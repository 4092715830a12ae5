"""A small goal cascade around the permission cast, in a period that contains today.

``top`` owns the company goal; ``leader``'s unit goal contributes to it (weight 2);
``report``'s team goal contributes to the unit goal and has two key results; ``peer``'s
goal supports the company goal; ``report`` also has a private goal contributing to the
unit goal and a private goal aligned to nothing. ``peer`` sits outside ``report``'s
management chain, so the private goals are hidden from them; ``leader`` manages
``report`` and sees them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from roadmaps.models import Goal, KeyResult, Period, Product
from roadmaps.services import goal_create, goal_link_create, key_result_create, product_create

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def period(db) -> Period:
    """The current period, whatever day the tests run."""
    today = timezone.localdate()
    return Period.objects.create(
        name="This quarter",
        kind=Period.Kind.QUARTER,
        start=today - dt.timedelta(days=40),
        end=today + dt.timedelta(days=50),
    )


@dataclass
class Goals:
    product: Product
    company: Goal
    unit: Goal
    team: Goal
    support: Goal
    private: Goal
    private_orphan: Goal
    orphan: Goal
    kr: KeyResult
    kr2: KeyResult


@pytest.fixture
def goals(cast, period) -> Goals:
    product = product_create(
        name="Checkout",
        slug="checkout",
        business_unit=cast.report.business_unit,
        team=cast.report.team,
        owner=cast.report,
        vision_statement="Paying takes one click.",
        stage="launch",
    )

    def goal(title, owner, level, **fields):
        return goal_create(title=title, owner=owner, level=level, period=period, **fields)

    company = goal("Win the mid-market", cast.top, Goal.Level.COMPANY)
    unit = goal(
        "Double payments revenue",
        cast.leader,
        Goal.Level.BUSINESS_UNIT,
        business_unit=cast.leader.business_unit,
    )
    team = goal(
        "Ship one-click checkout",
        cast.report,
        Goal.Level.TEAM,
        product=product,
        team=cast.report.team,
        business_unit=cast.report.business_unit,
    )
    support = goal("Hire two PMs", cast.peer, Goal.Level.TEAM, status=Goal.Status.AT_RISK)
    private = goal(
        "Secret pricing experiment",
        cast.report,
        Goal.Level.TEAM,
        visibility=Goal.Visibility.PRIVATE,
        product=product,
    )
    private_orphan = goal(
        "Private growth plan",
        cast.report,
        Goal.Level.INDIVIDUAL,
        visibility=Goal.Visibility.PRIVATE,
    )
    orphan = goal("Tidy the backlog", cast.report, Goal.Level.TEAM)
    goal_link_create(child=unit, parent=company, weight=2)
    goal_link_create(child=team, parent=unit)
    goal_link_create(child=private, parent=unit)
    goal_link_create(child=support, parent=company, kind="supports")
    kr = key_result_create(
        goal=team, title="Merchants on one-click", start_value=0, target_value=40, unit="merchants"
    )
    kr2 = key_result_create(
        goal=team, title="Checkout conversion", start_value=50, target_value=60, unit="%"
    )
    return Goals(product, company, unit, team, support, private, private_orphan, orphan, kr, kr2)
