"""Filters, search and ordering of the lists (the FilterSets the pages share)."""

from __future__ import annotations

import pytest

from roles.models import BusinessUnit, Person, Position, Role, Team


def _names(response, key="full_name") -> list[str]:
    assert response.status_code == 200, response.json()
    return [row[key] for row in response.json()["results"]]


@pytest.fixture
def member(client_for, cast):
    return client_for(cast.peer_user)


@pytest.fixture
def elsewhere(cast):
    """A second unit and team with one inactive person, so every filter has to exclude."""
    unit = BusinessUnit.objects.create(name="Marketplace", slug="marketplace")
    team = Team.objects.create(name="Sellers", business_unit=unit, kind="platform")
    person = Person.objects.create(
        full_name="Ines",
        email="ines@corp.example",
        role=Role.objects.get(name="Product Manager"),
        manager=cast.peer,
        team=team,
        business_unit=unit,
        is_active=False,
    )
    return unit, team, person


def test_people_under_a_leader_are_their_whole_subtree(member, cast, elsewhere):
    assert _names(member.get(f"/api/v1/people/?under={cast.leader.pk}")) == [
        "Dana",
        "Priya",
        "Sam",
    ]
    assert _names(member.get(f"/api/v1/people/?under={cast.peer.pk}")) == ["Ines", "Omar"]


def test_people_by_manager_team_unit_role_and_activity(member, cast, elsewhere):
    unit, team, _ = elsewhere
    assert _names(member.get(f"/api/v1/people/?manager={cast.top.pk}")) == ["Dana", "Omar"]
    assert _names(member.get(f"/api/v1/people/?team={team.pk}")) == ["Ines"]
    assert _names(member.get(f"/api/v1/people/?business_unit={unit.pk}")) == ["Ines"]
    assert _names(member.get(f"/api/v1/people/?role={cast.leader.role_id}")) == ["Dana", "Omar"]
    assert _names(member.get("/api/v1/people/?is_active=false")) == ["Ines"]
    assert "Ines" not in _names(member.get("/api/v1/people/?is_active=true"))


def test_people_search_by_name_or_email(member, cast, elsewhere):
    assert _names(member.get("/api/v1/people/?search=pri")) == ["Priya"]
    assert _names(member.get("/api/v1/people/?search=corp.example")) == ["Ines"]


def test_filters_combine(member, cast, elsewhere):
    url = f"/api/v1/people/?under={cast.top.pk}&role={cast.leader.role_id}&search=oma"
    assert _names(member.get(url)) == ["Omar"]


def test_people_ordering(member, cast):
    assert _names(member.get("/api/v1/people/?ordering=-full_name")) == [
        "Sam",
        "Priya",
        "Omar",
        "Dana",
        "Carla",
    ]
    by_level = _names(member.get("/api/v1/people/?ordering=-level,full_name"))
    assert by_level == ["Carla", "Dana", "Omar", "Priya", "Sam"]


def test_pagination_format(member, cast):
    response = member.get("/api/v1/people/?page_size=2&page=2")
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert [p["full_name"] for p in body["results"]] == ["Omar", "Priya"]
    assert "page=3" in body["next"]
    assert "page_size=2" in body["previous"]


def test_teams_by_unit_and_kind(member, cast, elsewhere):
    unit, _, _ = elsewhere
    assert _names(member.get(f"/api/v1/teams/?business_unit={unit.pk}"), "name") == ["Sellers"]
    assert _names(member.get("/api/v1/teams/?kind=product"), "name") == ["Checkout"]


def test_business_units_by_parent(member, cast, elsewhere):
    payments = cast.leader.business_unit
    BusinessUnit.objects.create(name="Wallets", slug="wallets", parent=payments)
    assert _names(member.get(f"/api/v1/business-units/?parent={payments.pk}"), "name") == [
        "Wallets"
    ]
    assert _names(member.get("/api/v1/business-units/?top_level=true"), "name") == [
        "Marketplace",
        "Payments",
    ]


def test_roles_by_track(member):
    names = _names(member.get("/api/v1/roles/?track=individual&ordering=-level"), "name")
    assert names == list(
        Role.objects.filter(track="individual")
        .order_by("-level", "pk")
        .values_list("name", flat=True)
    )
    assert "Chief Product Officer" not in names


def test_positions_by_status_team_and_role(member, cast, elsewhere):
    _, sellers, _ = elsewhere
    pm = Role.objects.get(name="Product Manager")
    senior = Role.objects.get(name="Senior Product Manager")
    open_seat = Position.objects.create(role=pm, team=sellers, status="open")
    frozen = Position.objects.create(role=senior, team=cast.leader.team, status="frozen")
    held = Position.objects.create(role=senior, status="filled", holder=cast.report)

    def ids(query):
        return _names(member.get(f"/api/v1/positions/?{query}"), "id")

    assert ids("status=frozen") == [frozen.pk]
    assert ids(f"team={sellers.pk}") == [open_seat.pk]
    assert sorted(ids(f"role={senior.pk}")) == sorted([frozen.pk, held.pk])
    assert ids(f"holder={cast.report.pk}") == [held.pk]
    [row] = member.get(f"/api/v1/positions/?holder={cast.report.pk}").json()["results"]
    assert (row["holder_name"], row["role_name"], row["display_title"]) == (
        "Priya",
        "Senior Product Manager",
        "Senior Product Manager",
    )
