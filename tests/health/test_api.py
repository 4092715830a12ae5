"""``GET /api/v1/leaders/{id}/health/`` and ``POST …/health/refresh/``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from health.models import FindingKind, HealthSnapshot
from roadmaps.models import Goal
from tests.api.conftest import assert_error

from .conftest import PLANTS

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _url(person, refresh=False) -> str:
    return f"/api/v1/leaders/{person.pk}/health/" + ("refresh/" if refresh else "")


def test_the_payload(org):
    PLANTS[FindingKind.GOAL_UNALIGNED](org)
    HealthSnapshot.objects.create(
        leader=org.leader,
        taken_on=timezone.localdate() - timedelta(days=1),
        score=88,
        computed_at=timezone.now(),
    )

    response = _client(org.leader.user).get(_url(org.leader))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "leader",
        "score",
        "trend",
        "breakdown",
        "limit",
        "truncated",
        "finding_counts",
        "findings",
    }
    assert body["leader"] == {"id": org.leader.pk, "name": "Lena"}
    assert body["score"] == 95  # 15 points × 1 of the subtree's 3 alignable goals lost
    assert body["trend"] == [
        {"date": (timezone.localdate() - timedelta(days=1)).isoformat(), "score": 88}
    ]
    assert [e["kind"] for e in body["breakdown"]] == list(FindingKind.values)
    unaligned = body["breakdown"][0]
    assert unaligned == {
        "kind": "goal_unaligned",
        "label": "Goal aligned to nothing",
        "checked": 3,
        "failing": 1,
        "weight": 15,
        "penalty": 5.0,
    }
    assert body["limit"] == 100  # the default
    assert body["truncated"] is False
    assert body["finding_counts"][0] == {
        "kind": "goal_unaligned",
        "label": "Goal aligned to nothing",
        "total": 1,
        "shown": 1,
    }
    assert [c["kind"] for c in body["finding_counts"]] == list(FindingKind.values)
    assert all(c["total"] == c["shown"] == 0 for c in body["finding_counts"][1:])
    goal = Goal.objects.get(title="Bob's floating goal")
    assert body["findings"] == [
        {
            "kind": "goal_unaligned",
            "label": "Goal aligned to nothing",
            "subject": "Bob's floating goal",
            "url": f"/goals/{goal.pk}/",
            "detail": "Aligns to no other goal: link it to the goal it serves.",
            "owner": "Bob",
        }
    ]


@pytest.mark.parametrize("who", ["hr", "leader", "top"])
def test_hr_the_leader_and_the_chain_above_see_it(org, who):
    user = {"hr": org.hr_user, "leader": org.leader.user, "top": org.top.user}[who]
    assert _client(user).get(_url(org.leader)).status_code == 200


@pytest.mark.parametrize("who", ["report", "peer", "outsider"])
def test_anyone_else_gets_404(org, who):
    user = {"report": org.alice.user, "peer": org.peer.user, "outsider": org.outsider_user}[who]
    assert_error(_client(user).get(_url(org.leader)), 404, "not_found")
    assert_error(_client(user).post(_url(org.leader, refresh=True)), 404, "not_found")


def test_anonymous_callers_get_401(org):
    assert_error(_client().get(_url(org.leader)), 401)


def test_an_unknown_leader_is_404(org):
    response = _client(org.hr_user).get("/api/v1/leaders/999999/health/")
    assert_error(response, 404, "not_found")


def test_a_private_goal_s_title_never_reaches_a_caller_who_may_not_see_it(org):
    secret = "Acquire Globex quietly"
    org.goal(secret, org.alice, visibility=Goal.Visibility.PRIVATE)
    for user in (org.alice.user, org.peer.user, org.outsider_user):
        response = _client(user).get(_url(org.leader))
        assert secret not in response.content.decode()
    # Those who may see the leader's health may see the goal: it is in their subtree.
    assert secret in _client(org.top.user).get(_url(org.leader)).content.decode()


def test_refresh_takes_today_s_snapshot_once(org):
    client = _client(org.leader.user)
    first = client.post(_url(org.leader, refresh=True))
    assert first.status_code == 200, first.content
    assert first.json()["trend"] == [{"date": timezone.localdate().isoformat(), "score": 100}]
    PLANTS[FindingKind.SEAT_NO_BUDGET](org)
    second = client.post(_url(org.leader, refresh=True))
    assert second.json()["trend"] == [
        {"date": timezone.localdate().isoformat(), "score": second.json()["score"]}
    ]
    assert second.json()["score"] == 95
    assert HealthSnapshot.objects.filter(leader=org.leader).count() == 1


def _three_unaligned_goals(org) -> list[str]:
    titles = ["A floating goal", "B floating goal", "C floating goal"]
    for title in titles:
        org.goal(title, org.bob)
    return titles


def test_the_limit_lists_the_first_findings_of_each_kind_and_counts_them_all(org):
    titles = _three_unaligned_goals(org)
    PLANTS[FindingKind.SEAT_NO_BUDGET](org)
    client = _client(org.leader.user)
    everything = client.get(_url(org.leader)).json()

    body = client.get(_url(org.leader) + "?limit=2").json()

    assert body["limit"] == 2
    assert body["truncated"] is True
    assert body["score"] == everything["score"]
    assert body["breakdown"] == everything["breakdown"]
    counts = {c["kind"]: (c["total"], c["shown"]) for c in body["finding_counts"]}
    assert counts["goal_unaligned"] == (3, 2)
    assert counts["seat_no_budget"] == (1, 1)
    unaligned = [f["subject"] for f in body["findings"] if f["kind"] == "goal_unaligned"]
    assert unaligned == titles[:2]  # the first, in the order of the full list
    assert [f["kind"] for f in body["findings"]] == [
        "goal_unaligned",
        "goal_unaligned",
        "seat_no_budget",
    ]


def test_a_limit_of_0_answers_the_counts_only(org):
    _three_unaligned_goals(org)
    body = _client(org.leader.user).get(_url(org.leader) + "?limit=0").json()
    assert body["findings"] == []
    assert body["truncated"] is True
    assert body["finding_counts"][0]["total"] == 3
    assert body["breakdown"][0]["failing"] == 3


def test_the_refresh_takes_the_limit_too(org):
    _three_unaligned_goals(org)
    response = _client(org.leader.user).post(_url(org.leader, refresh=True) + "?limit=1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["limit"] == 1
    assert body["finding_counts"][0] == {
        "kind": "goal_unaligned",
        "label": "Goal aligned to nothing",
        "total": 3,
        "shown": 1,
    }
    snapshot = HealthSnapshot.objects.get(leader=org.leader)
    assert snapshot.score == body["score"]
    assert snapshot.breakdown["goal_unaligned"]["failing"] == 3


@pytest.mark.parametrize("value", ["abc", "-1", "1001", "1.5", "10e3"])
def test_a_bad_limit_is_400_in_the_error_format(org, value):
    client = _client(org.leader.user)
    error = assert_error(client.get(_url(org.leader) + f"?limit={value}"), 400, "invalid")
    assert set(error["fields"]) == {"limit"}
    error = assert_error(client.post(_url(org.leader, refresh=True) + f"?limit={value}"), 400)
    assert set(error["fields"]) == {"limit"}
    assert not HealthSnapshot.objects.exists()  # a refused refresh takes no snapshot


@pytest.mark.parametrize("value", ["0", "1000"])
def test_the_bounds_of_the_limit_are_accepted(org, value):
    response = _client(org.leader.user).get(_url(org.leader) + f"?limit={value}")
    assert response.status_code == 200, response.content
    assert response.json()["limit"] == int(value)


def test_a_bad_limit_from_someone_who_may_not_see_the_leader_is_still_404(org):
    response = _client(org.peer.user).get(_url(org.leader) + "?limit=abc")
    assert_error(response, 404, "not_found")


# A request of a signed-in member: SAVEPOINT … RELEASE of ATOMIC_REQUESTS (2), the
# session (1), the user (1).
BASE = 4
# leader_get_for_viewer: HR group check, user.person, the leader, "in my subtree?" (CTE).
GATE = 4
# leader_health: the viewer's subtree ids for goal visibility (1; the HR check and the
# person are cached on the user), then its 12 reads (see test_query_counts.py).
HEALTH = 1 + 12
# The trend: the snapshots of the last 90 days.
TREND = 1


@pytest.mark.parametrize("limit", ["", "?limit=1", "?limit=1000"])
def test_the_endpoint_query_count(org, django_assert_num_queries, limit):
    for plant in PLANTS.values():
        plant(org)
    client = _client(org.top.user)
    with django_assert_num_queries(BASE + GATE + HEALTH + TREND):
        assert client.get(_url(org.leader) + limit).status_code == 200


def test_the_schema_documents_both_operations(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    get = paths["/api/v1/leaders/{person_id}/health/"]["get"]
    post = paths["/api/v1/leaders/{person_id}/health/refresh/"]["post"]
    for operation in (get, post):
        assert set(operation["responses"]) == {"200", "400", "401", "404"}
        assert {"bearerAuth": []} in operation["security"]
        (limit,) = [p for p in operation["parameters"] if p["name"] == "limit"]
        assert limit["in"] == "query"
        assert limit["schema"] == {"type": "integer", "default": 100}
        assert "1000" in limit["description"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema.endswith("/LeaderHealth")
    health = response.json()["components"]["schemas"]["LeaderHealth"]
    assert {"limit", "truncated", "finding_counts"} <= set(health["properties"])
    counts = response.json()["components"]["schemas"]["FindingCount"]
    assert set(counts["properties"]) == {"kind", "label", "total", "shown"}
