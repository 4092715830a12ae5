"""Bad payloads answer 400 in the one error format, naming the field at fault, and
change nothing."""

from __future__ import annotations

from datetime import date

import pytest

from roadmaps.models import Goal, GoalLink, KeyResult, Period, Product, RoadmapItem, Vision
from roadmaps.services import product_transition

from .conftest import assert_error, make_goal


@pytest.fixture
def hr(client_for, cast):
    return client_for(cast.hr_user)


@pytest.fixture
def priya(client_for, cast):
    """Owns the team goal and the product Checkout."""
    return client_for(cast.report_user)


# --- goal links -------------------------------------------------------------------------


def test_a_link_that_closes_a_cycle_is_refused_on_parent(client_for, cast, world):
    company, team = world.goals["company"], world.goals["team"]
    response = client_for(cast.top.user).post(
        "/api/v1/goal-links/", {"child": company.pk, "parent": team.pk}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "cycle" in error["fields"]["parent"][0]
    assert not GoalLink.objects.filter(child=company).exists()


def test_a_link_across_periods_that_do_not_overlap_is_refused(priya, cast, world, next_quarter):
    later = make_goal(next_quarter, "Next quarter's goal", owner=cast.report)
    response = priya.post(
        "/api/v1/goal-links/",
        {"child": later.pk, "parent": world.goals["unit"].pk},
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert "does not overlap" in error["fields"]["parent"][0]
    assert not GoalLink.objects.filter(child=later).exists()


def test_a_duplicate_link_and_a_link_to_itself_are_refused(priya, world):
    team, unit = world.goals["team"], world.goals["unit"]
    duplicate = priya.post("/api/v1/goal-links/", {"child": team.pk, "parent": unit.pk})
    assert "already aligns" in assert_error(duplicate, 400)["fields"]["parent"][0]
    itself = priya.post("/api/v1/goal-links/", {"child": team.pk, "parent": team.pk})
    assert "itself" in assert_error(itself, 400)["fields"]["parent"][0]


def test_a_links_goals_cannot_be_swapped_and_its_weight_stays_positive(priya, world):
    url = f"/api/v1/goal-links/{world.link.pk}/"
    moved = priya.patch(url, {"parent": world.goals["company"].pk}, format="json")
    assert "cannot change" in assert_error(moved, 400)["fields"]["parent"][0]
    weightless = priya.patch(url, {"weight": "0"}, format="json")
    assert "weight" in assert_error(weightless, 400)["fields"]
    assert GoalLink.objects.get(pk=world.link.pk).parent_id == world.goals["unit"].pk


# --- goals --------------------------------------------------------------------------------


def test_a_goal_needs_a_title_a_level_and_a_period(priya):
    error = assert_error(priya.post("/api/v1/goals/", {}, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"title", "level", "period"}


def test_unknown_choices_and_confidence_out_of_range(priya, quarter):
    payload = {"title": "T", "level": "galaxy", "period": quarter.pk, "confidence": 11}
    error = assert_error(priya.post("/api/v1/goals/", payload, format="json"), 400)
    assert set(error["fields"]) == {"level", "confidence"}
    assert not Goal.objects.filter(title="T").exists()


def test_moving_a_linked_goal_to_a_disjoint_period_is_refused(priya, world, next_quarter):
    url = f"/api/v1/goals/{world.goals['team'].pk}/"
    error = assert_error(priya.patch(url, {"period": next_quarter.pk}, format="json"), 400)
    assert "unlink it first" in error["fields"]["period"][0]


# --- key results and check-ins ------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "start", "target"), [("increase", "10", "5"), ("decrease", "400", "800")]
)
def test_a_key_result_target_against_its_direction_is_refused(
    priya, world, direction, start, target
):
    payload = {
        "goal": world.goals["team"].pk,
        "title": "Wrong way",
        "start_value": start,
        "target_value": target,
        "direction": direction,
    }
    error = assert_error(priya.post("/api/v1/key-results/", payload, format="json"), 400)
    assert list(error["fields"]) == ["target_value"]
    assert f"the start ({start})" in error["fields"]["target_value"][0]
    assert not KeyResult.objects.filter(title="Wrong way").exists()


def test_turning_a_key_results_direction_against_its_target_is_refused(priya, world):
    url = f"/api/v1/key-results/{world.key_result.pk}/"
    error = assert_error(priya.patch(url, {"direction": "decrease"}, format="json"), 400)
    assert "below the start" in error["fields"]["target_value"][0]


def test_a_key_result_stays_with_its_goal(priya, world):
    url = f"/api/v1/key-results/{world.key_result.pk}/"
    response = priya.patch(url, {"goal": world.goals["unit"].pk}, format="json")
    assert assert_error(response, 400)["fields"]["goal"] == ["A key result stays with its goal."]


def test_a_check_in_needs_a_number(priya, world):
    response = priya.post(
        "/api/v1/check-ins/", {"key_result": world.key_result.pk, "value": "a lot"}, format="json"
    )
    assert "value" in assert_error(response, 400)["fields"]


def test_a_cancelled_goal_takes_no_check_ins(priya, world):
    Goal.objects.filter(pk=world.goals["team"].pk).update(status=Goal.Status.CANCELLED)
    response = priya.post(
        "/api/v1/check-ins/", {"key_result": world.key_result.pk, "value": "9"}, format="json"
    )
    assert "cancelled" in assert_error(response, 400)["fields"]["value"][0]


# --- products -----------------------------------------------------------------------------


def test_an_unknown_stage_is_refused(hr, priya, cast, world):
    url = f"/api/v1/products/{world.product.pk}/transition/"
    error = assert_error(priya.post(url, {"to_stage": "hypergrowth"}, format="json"), 400)
    assert list(error["fields"]) == ["to_stage"]
    created = hr.post(
        "/api/v1/products/",
        {"name": "X", "slug": "x", "business_unit": cast.report.business_unit_id, "stage": "hype"},
        format="json",
    )
    assert "stage" in assert_error(created, 400)["fields"]
    assert not Product.objects.filter(slug="x").exists()


@pytest.mark.parametrize(
    ("start", "to_stage", "reason_for"),
    [
        ("growth", "launch", "move back a stage"),
        ("growth", "retired", "retire a product"),
        ("retired", "growth", "leave retirement"),
    ],
)
def test_a_reason_is_required_to_go_back_or_retire(priya, world, start, to_stage, reason_for):
    if start != world.product.stage:
        product_transition(product=world.product, to_stage="growth")
        if start == "retired":
            product_transition(product=world.product, to_stage="retired", reason="Merged.")
    url = f"/api/v1/products/{world.product.pk}/transition/"
    for reason in (None, "", "   "):
        payload = {"to_stage": to_stage} | ({} if reason is None else {"reason": reason})
        error = assert_error(priya.post(url, payload, format="json"), 400)
        assert error["fields"] == {"reason": [f"Give a reason to {reason_for}."]}
    assert Product.objects.get(pk=world.product.pk).stage == start
    moved = priya.post(url, {"to_stage": to_stage, "reason": "Demand moved."}, format="json")
    assert moved.status_code == 200
    assert moved.json()["stage_history"][0]["reason"] == "Demand moved."


def test_the_stage_changes_only_through_a_transition(priya, world):
    response = priya.patch(
        f"/api/v1/products/{world.product.pk}/", {"stage": "growth"}, format="json"
    )
    assert "transition" in assert_error(response, 400)["fields"]["stage"][0]
    assert Product.objects.get(pk=world.product.pk).stage == "discovery"


def test_moving_to_the_current_stage_is_refused(priya, world):
    url = f"/api/v1/products/{world.product.pk}/transition/"
    error = assert_error(priya.post(url, {"to_stage": "discovery"}, format="json"), 400)
    assert "already in Discovery" in error["fields"]["to_stage"][0]


def test_a_product_slug_is_unique(hr, cast, world):
    payload = {"name": "Again", "slug": "checkout", "business_unit": cast.report.business_unit_id}
    assert (
        "slug" in assert_error(hr.post("/api/v1/products/", payload, format="json"), 400)["fields"]
    )


# --- periods, visions, roadmap items ------------------------------------------------------


def test_a_period_ends_after_it_starts(hr):
    payload = {"name": "Backwards", "kind": "quarter", "start": "2027-06-30", "end": "2027-04-01"}
    error = assert_error(hr.post("/api/v1/periods/", payload, format="json"), 400)
    assert error["fields"] == {"end": ["A period ends after it starts."]}
    assert not Period.objects.filter(name="Backwards").exists()


def test_re_dating_a_period_away_from_linked_goals_is_refused(hr, cast, world, quarter):
    year = Period.objects.create(
        name="FY2026", kind="year", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    annual = make_goal(year, "Annual", level=Goal.Level.COMPANY, owner=cast.top)
    GoalLink.objects.create(child=world.goals["company"], parent=annual)
    response = hr.patch(
        f"/api/v1/periods/{quarter.pk}/",
        {"start": "2027-01-01", "end": "2027-03-31"},
        format="json",
    )
    error = assert_error(response, 400)
    assert "FY2026" in error["message"] and set(error["fields"]) == {"start", "end"}
    assert Period.objects.get(pk=quarter.pk).start == date(2026, 10, 1)
    renamed = hr.patch(f"/api/v1/periods/{quarter.pk}/", {"name": "Q4"}, format="json")
    assert renamed.status_code == 200


def test_a_period_with_goals_cannot_be_deleted(hr, world, quarter):
    error = assert_error(hr.delete(f"/api/v1/periods/{quarter.pk}/"), 400, "protected")
    assert "goals" in error["message"] and "fields" not in error
    assert Period.objects.filter(pk=quarter.pk).exists()


def test_a_vision_matches_its_scope(hr, cast, world):
    mismatch = hr.post(
        "/api/v1/visions/",
        {"scope": "business_unit", "product": world.other_product.pk, "statement": "?"},
        format="json",
    )
    assert "subject must match its scope" in assert_error(mismatch, 400)["message"]
    second = hr.post(
        "/api/v1/visions/",
        {"scope": "product", "product": world.product.pk, "statement": "Another"},
        format="json",
    )
    assert_error(second, 400, "invalid")
    pillars = hr.post(
        "/api/v1/visions/",
        {
            "scope": "business_unit",
            "business_unit": cast.report.business_unit_id,
            "statement": "Unit",
            "pillars": "Speed, Reach",
        },
        format="json",
    )
    assert "pillars" in assert_error(pillars, 400)["fields"]
    assert Vision.objects.count() == 2


def test_a_roadmap_item_needs_a_horizon_or_a_target_period(priya, world):
    response = priya.post(
        "/api/v1/roadmap-items/", {"product": world.product.pk, "title": "Someday"}, format="json"
    )
    error = assert_error(response, 400)
    assert "horizon" in error["message"]
    assert not RoadmapItem.objects.filter(title="Someday").exists()


def test_a_bad_filter_value_is_a_field_error(priya):
    assert "stage" in assert_error(priya.get("/api/v1/products/?stage=hype"), 400)["fields"]
    assert "period" in assert_error(priya.get("/api/v1/goals/?period=999999"), 400)["fields"]
    assert "since" in assert_error(priya.get("/api/v1/check-ins/?since=yesterday"), 400)["fields"]
