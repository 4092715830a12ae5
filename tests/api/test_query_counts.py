"""Every list endpoint answers with the same number of queries for 20 or 2,000 people.

Each org is built with every relation a row shows filled in (managers, units with
parents and leaders, teams with leads, seats with holders and managers), so a missing
``select_related`` would show up as one query per row of the page.
"""

from __future__ import annotations

import pytest

from roles.models import BusinessUnit, Person, Position, Role, Team
from tests.conftest import build_org

SIZES = [20, 2000]


def _org(size: int) -> Person:
    """``size`` people, ``size // 10`` nested units and teams, one seat per person."""
    root = build_org(size=size)
    people = list(Person.objects.order_by("pk"))
    units, parent = [], root.business_unit
    for n in range(size // 10):
        parent = BusinessUnit.objects.create(
            name=f"Unit {n}", slug=f"unit-{size}-{n}", parent=parent, leader=people[n]
        )
        units.append(parent)
    Team.objects.bulk_create(
        Team(name=f"Team {n}", business_unit=units[n], lead=people[n]) for n in range(len(units))
    )
    Role.objects.bulk_create(
        Role(name=f"Rung {n}", track="individual", level=n) for n in range(size // 10)
    )
    role = Role.objects.get(name="Product Manager")
    Position.objects.bulk_create(
        Position(
            role=role,
            team=root.team,
            reports_to=person.manager,
            holder=person,
            status="filled",
            budgeted_annual_cost=100000,
        )
        for person in people
    )
    return root


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-people")
def org(request, cast) -> Person:
    return _org(request.param)


# Every request of a signed-in member starts and ends the same way:
#   SAVEPOINT … RELEASE of ATOMIC_REQUESTS (2), the session row (1), the user (1).
BASE = 4


def test_the_people_list(client_for, cast, org, django_assert_num_queries):
    client = client_for(cast.report_user)
    # BASE, then: 1. the page with its joins and, as a scalar subquery, the total
    with django_assert_num_queries(BASE + 1):
        response = client.get("/api/v1/people/?page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(500, response.json()["count"])
    # Past the last page: the page is empty, so the total is counted on its own
    # (BASE, 1. the empty page, 2. COUNT(*), 3. ROLLBACK TO SAVEPOINT of the error),
    # and the answer is the usual 404.
    with django_assert_num_queries(BASE + 3):
        assert client.get("/api/v1/people/?page=999").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/business-units/",
        "/api/v1/teams/",
        "/api/v1/roles/",
    ],
)
def test_a_list_page(client_for, cast, org, url, django_assert_num_queries):
    client = client_for(cast.report_user)
    # BASE, then: 1. COUNT(*) for the pagination   2. the page with its joins
    with django_assert_num_queries(BASE + 2):
        response = client.get(url + "?page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(500, response.json()["count"])


def test_people_under_a_leader(client_for, cast, org, django_assert_num_queries):
    client = client_for(cast.report_user)
    url = f"/api/v1/people/?under={org.pk}&is_active=true&ordering=-level"
    # BASE, then: 1. the `under` person exists (filter validation)
    # 2. COUNT(*) with the recursive subtree as a subquery   3. the page, same subquery
    with django_assert_num_queries(BASE + 3):
        response = client.get(url)
    assert (
        response.json()["count"] == Person.objects.filter(business_unit=org.business_unit).count()
    )


@pytest.mark.parametrize("who", ["hr_user", "leader_user", "outsider_user"])
def test_seats_with_their_private_cost(client_for, cast, org, who, django_assert_num_queries):
    client = client_for(getattr(cast, who))
    # BASE, then: 1. HR admin group membership
    # (not HR: 2. user.person, the viewer whose subtree decides the costs)
    # COUNT(*), then the page with the seat-cost decision inside it (for a leader a
    # recursive subquery over their subtree, whatever its size)
    expected = BASE + 1 + (0 if who == "hr_user" else 1) + 2
    with django_assert_num_queries(expected):
        response = client.get("/api/v1/positions/?status=filled&page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(500, response.json()["count"])


def test_a_bearer_token_adds_no_query_per_row(cast, org, django_assert_num_queries):
    from rest_framework.test import APIClient

    from productorg.services import api_token_create

    _, raw = api_token_create(user=cast.report_user, name="BI")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/v1/people/")  # the first use records last_used_at (an UPDATE)
    # SAVEPOINT, 1. the token with its user, 2. the page with its total, RELEASE
    with django_assert_num_queries(4):
        assert client.get("/api/v1/people/?page_size=500").status_code == 200


def test_one_seat(client_for, cast, org, django_assert_num_queries):
    client = client_for(cast.leader_user)
    seat = Position.objects.filter(holder__manager=org).first()
    # BASE, then: 1. HR admin group membership   2. user.person   3. the seat
    with django_assert_num_queries(BASE + 3):
        assert client.get(f"/api/v1/positions/{seat.pk}/").status_code == 200
