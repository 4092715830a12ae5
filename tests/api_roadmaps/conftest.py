"""Fixtures of the strategy and goals API tests.

The cast (tests/conftest.py) meets a small world: Priya owns the product Checkout and the
public team goal of the cascade (tests/roadmaps/conftest.py); Sam, who reports to her,
owns a private goal that contributes to it. So Sam, Priya, Dana, Carla and HR see the
private goal; Omar (a peer in another branch) and a login without a person do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from roadmaps.models import Goal, GoalLink, Period, Product, Vision
from roadmaps.services import (
    check_in_create,
    goal_link_create,
    product_create,
    roadmap_item_save,
    vision_save,
)
from tests.api.conftest import assert_error, client_for, fast_password_hashing
from tests.roadmaps.conftest import cascade, make_goal, make_kr, next_quarter, quarter

__all__ = [
    "assert_error",
    "cascade",
    "client_for",
    "fast_password_hashing",
    "make_goal",
    "make_kr",
    "next_quarter",
    "quarter",
]

ROADMAP_RESOURCES = [
    "products",
    "periods",
    "visions",
    "goals",
    "goal-links",
    "key-results",
    "check-ins",
    "roadmap-items",
]

PRIVATE_TITLE = "Move to the Search team"


def user_of(cast, who: str):
    """A login of the cast by name: ``hr_user``, ``outsider_user`` or a person's name."""
    if who.endswith("_user"):
        return getattr(cast, who)
    return getattr(cast, who).user


@dataclass
class World:
    product: Product
    other_product: Product
    company_vision: Vision
    product_vision: Vision
    goals: dict[str, Goal]
    private: Goal
    link: GoalLink
    key_result: Any
    private_key_result: Any
    check_in: Any
    private_check_in: Any
    item: Any
    spare_period: Period


@pytest.fixture
def world(cast, cascade, quarter) -> World:
    unit, team = cast.report.business_unit, cast.report.team
    product = product_create(
        name="Checkout", slug="checkout", business_unit=unit, team=team, owner=cast.report
    )
    other = product_create(
        name="Wallet", slug="wallet", business_unit=unit, team=team, owner=cast.subreport
    )
    company_vision = vision_save(
        scope="company", statement="Every business paid on time.", pillars=["Trust", "Reach"]
    )
    product_vision = vision_save(
        scope="product", product=product, statement="Checkout in one tap.", pillars=["Speed"]
    )
    private = make_goal(
        quarter,
        PRIVATE_TITLE,
        owner=cast.subreport,
        level=Goal.Level.INDIVIDUAL,
        visibility=Goal.Visibility.PRIVATE,
    )
    goal_link_create(child=private, parent=cascade["team"], weight=1)
    key_result = make_kr(cascade["team"], "Conversion", start=0, target=10)
    private_kr = make_kr(private, "Search interviews done", start=0, target=4)
    check_in = check_in_create(key_result=key_result, author=cast.report, value=5)
    private_check_in = check_in_create(key_result=private_kr, author=cast.subreport, value=2)
    item = roadmap_item_save(
        product=product,
        title="One-tap checkout",
        horizon="now",
        owner=cast.report,
        goals=[cascade["team"], private],
    )
    spare = Period.objects.create(
        name="2027-H1", kind=Period.Kind.HALF, start=date(2027, 1, 1), end=date(2027, 6, 30)
    )
    return World(
        product=product,
        other_product=other,
        company_vision=company_vision,
        product_vision=product_vision,
        goals=cascade,
        private=private,
        link=GoalLink.objects.get(child=cascade["team"], parent=cascade["unit"]),
        key_result=key_result,
        private_key_result=private_kr,
        check_in=check_in,
        private_check_in=private_check_in,
        item=item,
        spare_period=spare,
    )


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


__all__ += ["PRIVATE_TITLE", "ROADMAP_RESOURCES", "World", "ids", "results", "user_of"]
