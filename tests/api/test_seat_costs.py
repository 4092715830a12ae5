"""A seat's budgeted cost: HR admins and the management chain above the seat, nobody else."""

from __future__ import annotations

import pytest

from roles.models import Position, Role
from roles.selectors import position_seat_cost_is_visible


@pytest.fixture
def seat(cast):
    """An open seat reporting to Priya (so: Priya, Dana and Carla are the chain above it)."""
    return Position.objects.create(
        role=Role.objects.get(name="Associate Product Manager"),
        reports_to=cast.report,
        budgeted_annual_cost=84000,
    )


SEES = ["hr_user", "report_user", "leader_user", "top"]
DOES_NOT_SEE = ["peer_user", "subreport", "outsider_user"]


def _user(cast, who):
    return getattr(cast, who).user if who in ("top", "subreport") else getattr(cast, who)


@pytest.mark.parametrize("who", SEES)
def test_hr_and_the_chain_above_the_seat_see_its_cost(client_for, cast, seat, who):
    client = client_for(_user(cast, who))
    assert client.get(f"/api/v1/positions/{seat.pk}/").json()["budgeted_annual_cost"] == "84000.00"
    [row] = client.get("/api/v1/positions/").json()["results"]
    assert row["budgeted_annual_cost"] == "84000.00"
    assert position_seat_cost_is_visible(user=_user(cast, who), position=seat)


@pytest.mark.parametrize("who", DOES_NOT_SEE)
def test_anyone_else_sees_null(client_for, cast, seat, who):
    client = client_for(_user(cast, who))
    detail = client.get(f"/api/v1/positions/{seat.pk}/").json()
    assert detail["budgeted_annual_cost"] is None
    assert detail["id"] == seat.pk  # the seat itself is organisation structure: visible
    [row] = client.get("/api/v1/positions/").json()["results"]
    assert row["budgeted_annual_cost"] is None
    assert b"84000" not in client.get("/api/v1/positions/").content
    assert not position_seat_cost_is_visible(user=_user(cast, who), position=seat)


def test_a_seat_reporting_to_nobody_shows_its_cost_to_hr_only(client_for, cast):
    seat = Position.objects.create(
        role=Role.objects.get(name="Product Manager"), budgeted_annual_cost=90000
    )
    url = f"/api/v1/positions/{seat.pk}/"
    assert client_for(cast.hr_user).get(url).json()["budgeted_annual_cost"] == "90000.00"
    assert client_for(cast.top.user).get(url).json()["budgeted_annual_cost"] is None


def test_each_row_is_decided_on_its_own(client_for, cast, seat):
    other = Position.objects.create(
        role=Role.objects.get(name="Product Manager"),
        reports_to=cast.peer,
        budgeted_annual_cost=99000,
    )
    rows = client_for(cast.leader_user).get("/api/v1/positions/").json()["results"]
    costs = {row["id"]: row["budgeted_annual_cost"] for row in rows}
    assert costs == {seat.pk: "84000.00", other.pk: None}


def test_a_moved_leader_loses_sight_of_the_old_branch(client_for, cast, seat):
    from roles.services import person_set_manager

    # Priya moves from Dana's branch to Omar's: Omar now sees the seat's cost, Dana no more.
    person_set_manager(person=cast.report, manager=cast.peer)
    url = f"/api/v1/positions/{seat.pk}/"
    assert client_for(cast.peer_user).get(url).json()["budgeted_annual_cost"] == "84000.00"
    assert client_for(cast.leader_user).get(url).json()["budgeted_annual_cost"] is None
