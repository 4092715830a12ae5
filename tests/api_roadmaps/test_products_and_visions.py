"""Products move through their lifecycle with a logged reason; visions keep every version."""

from __future__ import annotations

import pytest

from roadmaps.models import Product, ProductStageTransition

from .conftest import assert_error, results


def test_a_transition_is_logged_and_shown_in_the_detail(client_for, cast, world):
    client = client_for(cast.report_user)  # Priya owns Checkout
    url = f"/api/v1/products/{world.product.pk}/"
    response = client.post(url + "transition/", {"to_stage": "launch"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "launch"
    client.post(url + "transition/", {"to_stage": "pmf", "reason": "Retention at 40%."})
    detail = client_for(cast.peer_user).get(url).json()
    assert detail["stage"] == "pmf" and detail["can_edit"] is False
    history = [
        (h["from_stage"], h["to_stage"], h["reason"], h["changed_by_name"])
        for h in detail["stage_history"]
    ]
    assert history == [
        ("launch", "pmf", "Retention at 40%.", "Priya"),
        ("discovery", "launch", "", "Priya"),
        ("", "discovery", "Product created.", None),
    ]
    assert Product.objects.get(pk=world.product.pk).stage_changed_at is not None


def test_hr_without_a_person_is_named_by_login_in_the_stage_history(client_for, cast, world):
    client = client_for(cast.hr_user)
    client.post(
        f"/api/v1/products/{world.product.pk}/transition/", {"to_stage": "launch"}, format="json"
    )
    detail = client.get(f"/api/v1/products/{world.product.pk}/").json()
    assert detail["stage_history"][0]["changed_by_name"] == "hr@example.com"


@pytest.mark.parametrize(("who", "status"), [("leader", 200), ("peer", 403), ("subreport", 403)])
def test_the_owners_chain_moves_the_product(client_for, cast, world, who, status):
    response = client_for(getattr(cast, who).user).post(
        f"/api/v1/products/{world.product.pk}/transition/", {"to_stage": "launch"}
    )
    assert response.status_code == status
    expected = "launch" if status == 200 else "discovery"
    assert Product.objects.get(pk=world.product.pk).stage == expected
    assert ProductStageTransition.objects.filter(product=world.product).count() == (
        2 if status == 200 else 1
    )


def test_the_list_is_light_and_the_detail_has_the_history(client_for, cast, world):
    client = client_for(cast.peer_user)
    [row] = [r for r in results(client.get("/api/v1/products/")) if r["id"] == world.product.pk]
    assert "stage_history" not in row
    assert (row["owner_name"], row["team_name"], row["business_unit_name"]) == (
        "Priya",
        "Checkout",
        "Payments",
    )


def test_an_owner_hands_a_product_only_within_their_subtree(client_for, cast, world):
    url = f"/api/v1/products/{world.product.pk}/"
    client = client_for(cast.report_user)
    assert_error(client.patch(url, {"owner": cast.peer.pk}, format="json"), 403)
    assert client.patch(url, {"owner": cast.subreport.pk}, format="json").status_code == 200
    # Sam owns it now; Priya still manages Sam, so she still changes it.
    assert client.patch(url, {"name": "Checkout 2"}, format="json").status_code == 200


def test_a_vision_keeps_every_version(client_for, cast, world):
    url = f"/api/v1/visions/{world.product_vision.pk}/"
    client = client_for(cast.report_user)
    client.patch(url, {"statement": "Checkout in one tap, everywhere."}, format="json")
    client_for(cast.leader_user).patch(url, {"pillars": ["Speed", "Reach"]}, format="json")
    detail = client_for(cast.peer_user).get(url).json()
    assert detail["history_count"] == 3 and detail["can_edit"] is False
    history = client_for(cast.peer_user).get(url + "history/")
    assert history.status_code == 200
    body = history.json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 3
    versions = [
        (v["change"], v["changed_by_name"], v["statement"], v["pillars"]) for v in body["results"]
    ]
    assert versions == [
        ("changed", "Dana", "Checkout in one tap, everywhere.", ["Speed", "Reach"]),
        ("changed", "Priya", "Checkout in one tap, everywhere.", ["Speed"]),
        ("created", None, "Checkout in one tap.", ["Speed"]),
    ]
    [row] = [v for v in results(client.get("/api/v1/visions/")) if v["id"] == detail["id"]]
    assert row["history_count"] == 3


def test_company_and_unit_visions_are_written_by_hr_only(client_for, cast, world):
    url = f"/api/v1/visions/{world.company_vision.pk}/"
    assert_error(client_for(cast.top.user).patch(url, {"statement": "Mine"}), 403)
    unit_vision = {
        "scope": "business_unit",
        "business_unit": cast.report.business_unit_id,
        "statement": "Payments that never fail.",
    }
    assert_error(client_for(cast.leader_user).post("/api/v1/visions/", unit_vision), 403)
    hr = client_for(cast.hr_user)
    assert hr.patch(url, {"statement": "Ours"}, format="json").status_code == 200
    assert hr.post("/api/v1/visions/", unit_vision, format="json").status_code == 201


def test_a_product_owner_cannot_turn_their_vision_into_their_units(client_for, cast, world):
    url = f"/api/v1/visions/{world.product_vision.pk}/"
    payload = {
        "scope": "business_unit",
        "business_unit": cast.report.business_unit_id,
        "product": None,
    }
    response = client_for(cast.report_user).patch(url, payload, format="json")
    assert_error(response, 403)
    world.product_vision.refresh_from_db()
    assert world.product_vision.scope == "product"
