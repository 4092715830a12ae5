"""Filters, search and ordering of the strategy and goal lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roadmaps.models import CheckIn, Goal, Period, RoadmapItem
from roadmaps.services import product_create, product_transition, roadmap_item_save
from roles.models import BusinessUnit, Team

from .conftest import ids, make_goal, results


@pytest.fixture
def member(client_for, cast):
    return client_for(cast.leader_user)


@pytest.fixture
def elsewhere(cast, world, next_quarter):
    """Another unit, team, product and period with a goal, so every filter has to exclude."""
    unit = BusinessUnit.objects.create(name="Marketplace", slug="marketplace")
    team = Team.objects.create(name="Sellers", business_unit=unit)
    product = product_create(
        name="Seller tools", slug="seller-tools", business_unit=unit, team=team, owner=cast.peer
    )
    product_transition(product=product, to_stage="launch")
    goal = make_goal(
        next_quarter,
        "Onboard ten thousand sellers",
        owner=cast.peer,
        level=Goal.Level.PRODUCT,
        product=product,
        business_unit=unit,
        team=team,
        status=Goal.Status.AT_RISK,
    )
    return {"unit": unit, "team": team, "product": product, "goal": goal}


def _titles(response) -> list[str]:
    return sorted(row["title"] for row in results(response))


def test_goals_by_each_filter(member, cast, world, elsewhere, next_quarter):
    other = elsewhere["goal"].pk

    def goal_ids(query):
        return ids(member.get(f"/api/v1/goals/?{query}"))

    assert goal_ids(f"period={next_quarter.pk}") == [other]
    assert goal_ids("level=product") == [other]
    assert goal_ids(f"owner={cast.peer.pk}&period={next_quarter.pk}") == [other]
    assert goal_ids(f"business_unit={elsewhere['unit'].pk}") == [other]
    assert goal_ids(f"team={elsewhere['team'].pk}") == [other]
    assert goal_ids(f"product={elsewhere['product'].pk}") == [other]
    assert goal_ids("status=at_risk") == [other]
    assert goal_ids("visibility=private") == [world.private.pk]  # Dana manages its owner
    assert sorted(goal_ids(f"under={cast.report.pk}")) == sorted(
        [world.goals["team"].pk, world.private.pk]
    )


def test_goals_search_every_word_of_the_title(member, world, elsewhere):
    assert _titles(member.get("/api/v1/goals/?search=one+checkout")) == ["Ship one-click checkout"]
    assert _titles(member.get("/api/v1/goals/?search=SELLERS")) == ["Onboard ten thousand sellers"]
    assert _titles(member.get("/api/v1/goals/?search=nothing+like+this")) == []


def test_goals_ordering(member, world):
    rows = results(member.get("/api/v1/goals/?ordering=-progress,title"))
    progress = [row["progress"] for row in rows]
    assert progress == sorted(progress, key=float, reverse=True)


def test_products_by_unit_team_owner_stage_and_name(member, cast, world, elsewhere):
    seller = elsewhere["product"].pk

    def product_ids(query):
        return ids(member.get(f"/api/v1/products/?{query}"))

    assert product_ids(f"business_unit={elsewhere['unit'].pk}") == [seller]
    assert product_ids(f"team={elsewhere['team'].pk}") == [seller]
    assert product_ids(f"owner={cast.peer.pk}") == [seller]
    assert product_ids("stage=launch") == [seller]
    assert product_ids("search=wall") == [world.other_product.pk]
    assert product_ids("ordering=-name") == [world.other_product.pk, seller, world.product.pk]


def test_key_results_and_check_ins_by_goal_and_author(member, cast, world):
    team = world.goals["team"].pk
    assert ids(member.get(f"/api/v1/key-results/?goal={team}")) == [world.key_result.pk]
    assert ids(member.get(f"/api/v1/check-ins/?goal={team}")) == [world.check_in.pk]
    assert ids(member.get(f"/api/v1/check-ins/?author={cast.subreport.pk}")) == [
        world.private_check_in.pk
    ]
    assert ids(member.get(f"/api/v1/check-ins/?key_result={world.private_key_result.pk}")) == [
        world.private_check_in.pk
    ]


def test_check_ins_by_time(member, world):
    CheckIn.objects.filter(pk=world.check_in.pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = member.get("/api/v1/check-ins/", {"since": since})
    assert ids(response) == [world.private_check_in.pk]
    assert ids(member.get("/api/v1/check-ins/", {"before": since})) == [world.check_in.pk]


def test_roadmap_items_by_each_filter(member, cast, world, elsewhere, quarter):
    later = roadmap_item_save(
        product=elsewhere["product"],
        title="Bulk listing",
        description="CSV upload for big sellers",
        target_period=quarter,
        status=RoadmapItem.Status.IDEA,
        owner=cast.peer,
    )
    mine = world.item.pk

    def item_ids(query):
        return ids(member.get(f"/api/v1/roadmap-items/?{query}"))

    assert item_ids(f"product={elsewhere['product'].pk}") == [later.pk]
    assert item_ids("horizon=now") == [mine]
    assert item_ids("status=idea") == [later.pk]
    assert item_ids(f"owner={cast.report.pk}") == [mine]
    assert item_ids(f"target_period={quarter.pk}") == [later.pk]
    assert item_ids(f"goal={world.goals['team'].pk}") == [mine]
    assert item_ids("search=csv") == [later.pk]


def test_goal_links_periods_and_visions(member, world, quarter):
    team, unit = world.goals["team"].pk, world.goals["unit"].pk
    assert ids(member.get(f"/api/v1/goal-links/?child={team}")) == [world.link.pk]
    assert ids(member.get(f"/api/v1/goal-links/?parent={unit}")) == [world.link.pk]
    supports = results(member.get("/api/v1/goal-links/?kind=supports"))
    assert [(r["child_title"], r["parent_title"]) for r in supports] == [
        ("Hire two PMs", "Win the mid-market")
    ]
    on = ids(member.get("/api/v1/periods/?on=2026-11-15"))
    assert on == [quarter.pk]
    assert ids(member.get("/api/v1/periods/?kind=half")) == [Period.objects.get(kind="half").pk]
    assert ids(member.get("/api/v1/visions/?scope=company")) == [world.company_vision.pk]
    assert ids(member.get(f"/api/v1/visions/?product={world.product.pk}")) == [
        world.product_vision.pk
    ]
