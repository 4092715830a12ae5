"""Goals through the API: who owns a new goal, who may change it, progress and its
explanation, check-ins that move every goal above them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from roadmaps.models import CheckIn, Goal

from .conftest import assert_error, make_kr, results


def _new_goal(quarter, **extra) -> dict:
    return {"title": "Launch in Spain", "level": "team", "period": quarter.pk, **extra}


def test_a_new_goal_belongs_to_the_caller_by_default(client_for, cast, quarter):
    response = client_for(cast.subreport.user).post(
        "/api/v1/goals/", _new_goal(quarter), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner"], body["owner_name"], body["can_edit"]) == (cast.subreport.pk, "Sam", True)
    assert body["progress"] == "0.00" and body["period_name"] == "2026-Q4"
    goal = Goal.objects.get(pk=body["id"])
    assert goal.owner == cast.subreport
    assert goal.history.first().history_user == cast.subreport.user


@pytest.mark.parametrize(
    ("who", "owner", "allowed"),
    [
        ("leader", "subreport", True),  # anyone in their subtree
        ("leader", "leader", True),
        ("leader", "top", False),  # not upwards
        ("leader", "peer", False),  # not sideways
        ("report", "leader", False),
        ("hr_user", "peer", True),  # HR admins: anyone
    ],
)
def test_a_member_gives_goals_only_to_their_subtree(client_for, cast, quarter, who, owner, allowed):
    user = cast.hr_user if who == "hr_user" else getattr(cast, who).user
    payload = _new_goal(quarter, owner=getattr(cast, owner).pk)
    response = client_for(user).post("/api/v1/goals/", payload, format="json")
    if allowed:
        assert response.status_code == 201
        assert response.json()["owner"] == getattr(cast, owner).pk
    else:
        error = assert_error(response, 403, "permission_denied")
        assert "someone who reports to you" in error["message"]
        assert not Goal.objects.filter(title="Launch in Spain").exists()


def test_a_login_without_a_person_creates_no_goal_but_hr_may_leave_it_unowned(
    client_for, cast, quarter
):
    assert_error(client_for(cast.outsider_user).post("/api/v1/goals/", _new_goal(quarter)), 403)
    unowned = _new_goal(quarter, owner=None, level="company")
    assert_error(client_for(cast.leader_user).post("/api/v1/goals/", unowned), 403)
    response = client_for(cast.hr_user).post("/api/v1/goals/", unowned, format="json")
    assert response.status_code == 201 and response.json()["owner"] is None


def test_handing_a_goal_outside_ones_subtree_is_refused(client_for, cast, world):
    url = f"/api/v1/goals/{world.goals['team'].pk}/"
    client = client_for(cast.leader_user)
    assert_error(client.patch(url, {"owner": cast.peer.pk}, format="json"), 403)
    assert client.patch(url, {"owner": cast.subreport.pk}, format="json").status_code == 200
    assert Goal.objects.get(pk=world.goals["team"].pk).owner == cast.subreport


def test_progress_is_read_only_and_shown_in_the_list(client_for, cast, world):
    url = f"/api/v1/goals/{world.goals['team'].pk}/"
    client = client_for(cast.report_user)
    response = client.patch(url, {"progress": "99.00", "title": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["progress"] == "50.00" and response.json()["title"] == "Renamed"
    rows = {row["id"]: row for row in results(client.get("/api/v1/goals/"))}
    assert rows[world.goals["team"].pk]["progress"] == "50.00"
    assert rows[world.goals["company"].pk]["progress"] == "50.00"  # 2 × 50 (unit) ÷ 2
    assert rows[world.goals["team"].pk]["can_edit"] is True
    assert rows[world.goals["company"].pk]["can_edit"] is False


def test_deleting_a_goal_recomputes_its_parents(client_for, cast, world):
    make_kr(world.goals["unit"], "Revenue", start=0, target=10)  # 0 % so far
    unit = Goal.objects.get(pk=world.goals["unit"].pk)
    assert unit.progress == D("25.00")  # (50 + 0) ÷ 2
    response = client_for(cast.leader_user).delete(f"/api/v1/goals/{world.goals['team'].pk}/")
    assert response.status_code == 204
    assert Goal.objects.get(pk=world.goals["unit"].pk).progress == D("0.00")


def test_the_progress_explanation_adds_up(client_for, cast, world):
    make_kr(world.goals["company"], "Logos", start=0, target=100, weight=2)
    response = client_for(cast.top.user).get(
        f"/api/v1/goals/{world.goals['company'].pk}/progress-explanation/"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["goal"] == world.goals["company"].pk
    # Logos 0 % × 2 and "Double payments revenue" 50 % × 2 count; "Hire two PMs" supports.
    assert body["progress"] == "25.00" and body["total_weight"] == "4.00"
    assert body["formula"] == "(0.00% × 2.00 + 50.00% × 2.00) ÷ 4.00 = 25.00%"
    terms = {term["title"]: term for term in body["terms"]}
    assert terms["Logos"] == {
        "kind": "key_result",
        "id": terms["Logos"]["id"],
        "title": "Logos",
        "progress": "0.00",
        "weight": "2.00",
        "share": "0.5000",
        "contribution": "0.00",
        "counted": True,
        "hidden": False,
    }
    unit = terms["Double payments revenue"]
    assert (unit["kind"], unit["id"], unit["share"], unit["contribution"]) == (
        "goal",
        world.goals["unit"].pk,
        "0.5000",
        "25.00",
    )
    support = terms["Hire two PMs"]
    assert (support["counted"], support["share"], support["contribution"]) == (
        False,
        "0.0000",
        "0.00",
    )


def test_a_check_in_moves_every_goal_above_it(client_for, cast, world):
    response = client_for(cast.report_user).post(
        "/api/v1/check-ins/",
        {"key_result": world.key_result.pk, "value": "10", "confidence": 8, "note": "Done."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["author"], body["author_name"], body["goal"]) == (
        cast.report.pk,
        "Priya",
        world.goals["team"].pk,
    )
    assert body["value"] == "10.0000" and body["created_at"]
    progress = dict(Goal.objects.values_list("title", "progress"))
    assert progress["Ship one-click checkout"] == D("75.00")  # (100 + 50 private) ÷ 2
    assert progress["Double payments revenue"] == D("75.00")
    assert progress["Win the mid-market"] == D("75.00")
    team = Goal.objects.get(pk=world.goals["team"].pk)
    assert team.confidence == 8 and team.last_check_in_at is not None
    key_result = client_for(cast.peer_user).get(f"/api/v1/key-results/{world.key_result.pk}/")
    assert key_result.json()["current_value"] == "10.0000"
    assert key_result.json()["progress"] == "100.00"


def test_a_manager_checks_in_on_a_reports_goal_as_themself(client_for, cast, world):
    response = client_for(cast.top.user).post(
        "/api/v1/check-ins/", {"key_result": world.private_key_result.pk, "value": "3"}
    )
    assert response.status_code == 201
    assert CheckIn.objects.get(pk=response.json()["id"]).author == cast.top


def test_check_ins_list_newest_first(client_for, cast, world):
    client = client_for(cast.report_user)
    for value in ("6", "7"):
        client.post("/api/v1/check-ins/", {"key_result": world.key_result.pk, "value": value})
    rows = results(client.get(f"/api/v1/check-ins/?key_result={world.key_result.pk}"))
    assert [row["value"] for row in rows] == ["7.0000", "6.0000", "5.0000"]
