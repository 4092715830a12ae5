"""Bad payloads answer 400 with field errors; refused deletes answer 400 ``protected``."""

from __future__ import annotations

from roles.models import BusinessUnit, Person, Position, Role, Team

from .conftest import assert_error


def test_a_manager_cycle_is_refused_on_the_manager_field(client_for, cast):
    response = client_for(cast.hr_user).patch(
        f"/api/v1/people/{cast.leader.pk}/", {"manager": cast.subreport.pk}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "cycle" in error["fields"]["manager"][0]
    cast.leader.refresh_from_db()
    assert cast.leader.manager_id == cast.top.pk


def test_nobody_manages_themself(client_for, cast):
    response = client_for(cast.hr_user).patch(
        f"/api/v1/people/{cast.report.pk}/", {"manager": cast.report.pk}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "cannot manage themself" in error["fields"]["manager"][0]


def test_a_valid_move_changes_the_reporting_line(client_for, cast):
    response = client_for(cast.hr_user).patch(
        f"/api/v1/people/{cast.report.pk}/", {"manager": cast.peer.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["manager"] == cast.peer.pk
    assert response.json()["manager_name"] == "Omar"
    assert Person.objects.get(pk=cast.report.pk).manager_id == cast.peer.pk


def test_an_unknown_role_is_a_field_error(client_for, cast):
    response = client_for(cast.hr_user).post(
        "/api/v1/people/",
        {"full_name": "Noor", "email": "noor@example.com", "role": 999999},
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert "does not exist" in error["fields"]["role"][0]
    assert not Person.objects.filter(email="noor@example.com").exists()


def test_a_duplicate_email_is_a_field_error(client_for, cast):
    response = client_for(cast.hr_user).post(
        "/api/v1/people/", {"full_name": "Dana Two", "email": cast.leader.email}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "email" in error["fields"]
    assert error["fields"]["email"] == ["person with this email already exists."]
    assert error["message"] == "email: person with this email already exists."


def test_missing_required_fields_are_listed(client_for, cast):
    response = client_for(cast.hr_user).post("/api/v1/people/", {}, format="json")
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"full_name", "email"}


def test_a_unit_cannot_be_nested_inside_its_own_subtree(client_for, cast):
    top = cast.leader.business_unit
    child = BusinessUnit.objects.create(name="Wallets", slug="wallets", parent=top)
    response = client_for(cast.hr_user).patch(
        f"/api/v1/business-units/{top.pk}/", {"parent": child.pk}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "cycle" in error["fields"]["parent"][0]


def test_a_team_name_is_unique_within_its_unit(client_for, cast):
    team = cast.leader.team
    response = client_for(cast.hr_user).post(
        "/api/v1/teams/", {"name": team.name, "business_unit": team.business_unit_id}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "unique" in error["message"]


def test_a_filled_seat_needs_a_holder(client_for, cast):
    pm = Role.objects.get(name="Product Manager")
    response = client_for(cast.hr_user).post(
        "/api/v1/positions/", {"role": pm.pk, "status": "filled"}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["holder"] == ["A filled seat needs a holder."]


def test_nobody_holds_two_seats(client_for, cast):
    pm = Role.objects.get(name="Product Manager")
    Position.objects.create(role=pm, status="filled", holder=cast.report)
    response = client_for(cast.hr_user).post(
        "/api/v1/positions/",
        {"role": pm.pk, "status": "filled", "holder": cast.report.pk},
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert "already holds a seat" in error["fields"]["holder"][0]


def test_a_seat_cannot_report_into_its_own_chain(client_for, cast):
    pm = Role.objects.get(name="Product Manager")
    upper = Position.objects.create(role=pm)
    lower = Position.objects.create(role=pm, reports_to_position=upper)
    response = client_for(cast.hr_user).patch(
        f"/api/v1/positions/{upper.pk}/", {"reports_to_position": lower.pk}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "cycle" in error["fields"]["reports_to_position"][0]


def test_a_negative_seat_cost_is_refused(client_for, cast):
    pm = Role.objects.get(name="Product Manager")
    response = client_for(cast.hr_user).post(
        "/api/v1/positions/", {"role": pm.pk, "budgeted_annual_cost": "-1"}, format="json"
    )
    assert "budgeted_annual_cost" in assert_error(response, 400, "invalid")["fields"]


def test_a_bad_filter_value_is_a_field_error(client_for, cast):
    response = client_for(cast.report_user).get("/api/v1/people/?team=999999")
    assert "team" in assert_error(response, 400, "invalid")["fields"]
    response = client_for(cast.report_user).get("/api/v1/positions/?status=vacant")
    assert "status" in assert_error(response, 400, "invalid")["fields"]


def test_a_manager_with_reports_cannot_be_deleted(client_for, cast):
    response = client_for(cast.hr_user).delete(f"/api/v1/people/{cast.leader.pk}/")
    error = assert_error(response, 400, "protected")
    assert error["message"] == (
        "Dana cannot be deleted while other records refer to it: 1 person. "
        "Move or delete those first."
    )
    assert "fields" not in error
    assert Person.objects.filter(pk=cast.leader.pk).exists()


def test_a_seat_holder_cannot_be_deleted(client_for, cast):
    pm = Role.objects.get(name="Product Manager")
    seat = Position.objects.create(role=pm, status="filled", holder=cast.subreport)
    response = client_for(cast.hr_user).delete(f"/api/v1/people/{cast.subreport.pk}/")
    error = assert_error(response, 400, "protected")
    assert f"(#{seat.pk})" in error["message"]
    assert Person.objects.filter(pk=cast.subreport.pk).exists()


def test_a_unit_with_teams_and_sub_units_cannot_be_deleted(client_for, cast):
    unit = cast.leader.business_unit
    BusinessUnit.objects.create(name="Wallets", slug="wallets", parent=unit)
    response = client_for(cast.hr_user).delete(f"/api/v1/business-units/{unit.pk}/")
    error = assert_error(response, 400, "protected")
    assert "1 business unit and 1 team" in error["message"]
    assert BusinessUnit.objects.filter(pk=unit.pk).exists()
    assert Team.objects.filter(business_unit=unit).exists()


def test_a_role_in_use_cannot_be_deleted(client_for, cast):
    role = cast.leader.role
    response = client_for(cast.hr_user).delete(f"/api/v1/roles/{role.pk}/")
    error = assert_error(response, 400, "protected")
    assert "2 people" in error["message"]
    assert Role.objects.filter(pk=role.pk).exists()
