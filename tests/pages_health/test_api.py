"""GET /api/v1/leaders/{id}/dashboard/: the page's numbers as JSON, for those who may
open the page; 404 for anybody else; documented in the OpenAPI schema."""

from __future__ import annotations

import pytest

from roles.models import Position


def _get(client, user, leader, **params):
    client.force_login(user)
    return client.get(f"/api/v1/leaders/{leader.pk}/dashboard/", params)


def test_the_numbers_behind_the_page(client, cast, period, portfolio, goals):
    response = _get(client, cast.leader_user, cast.leader, period=period.pk, grain="week")
    assert response.status_code == 200
    body = response.json()
    assert body["leader"] == {"id": cast.leader.pk, "name": cast.leader.full_name}
    assert body["period"]["id"] == period.pk
    assert body["grain"] == "week"
    headline = body["headline"]
    assert (headline["people"], headline["products"], headline["goals"]) == (3, 2, 3)
    assert isinstance(headline["health_score"], int)
    revenue = next(m for m in body["key_metrics"] if m["key"] == "revenue")
    assert [p["value"] for p in revenue["series"] if p["value"] is not None] == [150, 157]
    assert revenue["breakdown"][0] == {
        "product_id": portfolio.checkout.pk,
        "name": "Checkout",
        "value": 207,
    }
    assert {r["name"] for r in body["products"]["rows"]} == {"Checkout", "Wallet"}
    assert body["units"][0]["goals"] == 3
    assert isinstance(body["findings"], list)
    assert {e["kind"] for e in body["health_breakdown"]}


def test_filters_of_the_tables(client, cast, period, portfolio):
    body = _get(client, cast.leader_user, cast.leader, period=period.pk, stage="launch").json()
    assert [r["name"] for r in body["products"]["rows"]] == ["Wallet"]
    response = _get(client, cast.leader_user, cast.leader, period=period.pk, grain="hour")
    assert response.status_code == 400
    assert "grain" in response.json()["error"]["fields"]
    response = _get(client, cast.leader_user, cast.leader, period=999999)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "viewer, target, status",
    [
        ("top", "leader", 200),
        ("hr", "peer", 200),
        ("peer", "leader", 404),
        ("report", "leader", 404),
    ],
)
def test_who_may_read_it(client, cast, period, viewer, target, status):
    users = {
        "top": cast.top.user,
        "hr": cast.hr_user,
        "peer": cast.peer_user,
        "report": cast.report_user,
    }
    response = _get(client, users[viewer], getattr(cast, target), period=period.pk)
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"


def test_anonymous_callers_get_401(client, cast, period):
    assert client.get(f"/api/v1/leaders/{cast.leader.pk}/dashboard/").status_code == 401


def test_no_seat_cost_and_no_hidden_goal_in_the_payload(client, cast, period, portfolio, goals):
    Position.objects.create(
        role=cast.report.role, reports_to=cast.report, status="open", budgeted_annual_cost=98765
    )
    text = _get(client, cast.leader_user, cast.leader, period=period.pk).content.decode()
    assert "98765" not in text
    assert "Peer's hidden plan" not in text


def test_documented_in_the_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/leaders/{person_id}/dashboard/"]["get"]
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"person_id", "period", "grain"}
