"""Every organisation page runs the same number of queries for 20 people as for 2,000.

Subtrees are read from the reporting-line closure, branches with a recursive CTE, and
counts are made by the database, never per node.
The lists below name each query in the order it runs.
"""

from __future__ import annotations

import pytest

from roles.models import Person, Position
from tests.conftest import build_org
from tests.factories import PositionFactory, UserFactory

HX = {"HTTP_HX_REQUEST": "true"}

# Every signed-in request starts and ends the same way.
REQUEST_START = 3  # session row, user row, SAVEPOINT (ATOMIC_REQUESTS)
REQUEST_END = 1  # RELEASE SAVEPOINT
BELL = 1  # the header bell: COUNT of unread notifications (context processor)


@pytest.fixture(params=[20, 2000], ids=["20-people", "2000-people"])
def org(request, db, client):
    """An org of the given size, its root signed in, open seats at the top two levels."""
    root = build_org(size=request.param)
    root.user = UserFactory(username=f"root{request.param}@example.com")
    root.save()
    managers = [root, *Person.objects.filter(manager=root)]
    for manager in managers:
        PositionFactory(reports_to=manager, team=root.team)
        PositionFactory(reports_to=manager, team=root.team, status=Position.Status.PLANNED)
    client.force_login(root.user)
    return root


def test_org_chart_of_my_organisation(client, org, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the viewer's Person (user.person; reused by the context processor)
        + 1  # HR admin group membership
        + 1  # the person at the top of the chart, with role, team, unit and manager
        + 1  # their direct reports, each with span of control and open seats counted
        + 1  # recursive CTE: the size of each report's branch, grouped by branch
        + 1  # open seats reporting to the person shown
        + 1  # open seats anywhere in their organisation (COUNT over the closure's ids)
        + BELL
        + REQUEST_END
    ):
        response = client.get("/org/")
    assert response.status_code == 200
    assert len(response.context["reports"]) == 6
    assert (
        response.context["org_size"]
        == Person.objects.filter(business_unit=org.business_unit).count()
    )


def test_org_chart_of_someone_else(client, org, django_assert_num_queries):
    child = Person.objects.filter(manager=org).first()
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the viewer's Person
        + 1  # HR admin group membership
        + 1  # the person shown, with role, team, unit and manager
        + 1  # their direct reports with spans and open seats counted
        + 1  # recursive CTE: branch sizes
        + 1  # recursive CTE: their management chain (breadcrumbs)
        + 1  # open seats reporting to them
        + 1  # open seats in their organisation
        + BELL
        + REQUEST_END
    ):
        response = client.get(f"/org/{child.pk}/")
    assert response.status_code == 200
    assert response.context["chain"] == [org]


def test_expanding_a_branch(client, org, django_assert_num_queries):
    child = Person.objects.filter(manager=org).first()
    with django_assert_num_queries(
        REQUEST_START
        + 1  # HR admin group membership (may the viewer see people who left?)
        + 1  # the manager whose branch opens
        + 1  # their direct reports with spans and open seats counted
        + 1  # recursive CTE: branch sizes
        + 1  # open seats reporting to them
        + 1  # the viewer's Person (context processor)
        + REQUEST_END
    ):
        response = client.get(f"/org/{child.pk}/reports/", **HX)
    assert response.status_code == 200
    assert len(response.context["reports"]) == 6
    assert len(response.context["seats"]) == 2


def test_person_page(client, org, django_assert_num_queries):
    child = Person.objects.filter(manager=org).first()
    with django_assert_num_queries(
        REQUEST_START
        + 1  # HR admin group membership
        + 1  # the person, with role, team, unit and manager
        + 1  # the viewer's Person (is this me?)
        + 1  # recursive CTE: management chain
        + 1  # direct reports with spans and open seats counted
        + 1  # open seats reporting to them
        + BELL
        + REQUEST_END
    ):
        response = client.get(f"/people/{child.pk}/")
    assert response.status_code == 200


def test_people_directory(client, org, django_assert_num_queries):
    params = {
        "search": "p",
        "team": org.team_id,
        "business_unit": org.business_unit_id,
        "role": org.role_id,
    }
    with django_assert_num_queries(
        REQUEST_START
        + 3  # the filter form checks the team, unit and role ids exist
        + 1  # COUNT of matching people (the paginator)
        + 1  # one page of people with role, team, unit and manager joined
        + 1  # the viewer's Person (context processor)
        + 1  # HR admin group membership (context processor)
        + 3  # teams (with their unit), units and roles offered as filters
        + BELL
        + REQUEST_END
    ):
        response = client.get("/people/", params)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == Person.objects.filter(business_unit=org.business_unit).count()
    assert len(page.object_list) == min(25, page.paginator.count)


def test_people_directory_htmx_update(client, org, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # COUNT of matching people
        + 1  # one page of people
        + 1  # the viewer's Person (context processor)
        + 1  # HR admin group membership (context processor)
        + REQUEST_END
    ):
        response = client.get("/people/", {"search": "p"}, **HX)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(
        25, response.context["page"].paginator.count
    )
