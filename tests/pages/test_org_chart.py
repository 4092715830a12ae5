"""My organisation: the chart around a person, its htmx branches, seats and empty states."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import Position
from tests.factories import PositionFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seats(cast):
    """Seats reporting to the leader: shown when open or planned, never with their cost."""
    return {
        "open": PositionFactory(
            reports_to=cast.leader, title="PM, Fraud", budgeted_annual_cost=987654
        ),
        "planned": PositionFactory(
            reports_to=cast.leader,
            title="PM, Risk",
            status=Position.Status.PLANNED,
            budgeted_annual_cost=876543,
        ),
        "frozen": PositionFactory(
            reports_to=cast.leader, title="PM, Frozen", status=Position.Status.FROZEN
        ),
        "filled": PositionFactory(
            reports_to=cast.leader,
            title="PM, Taken",
            status=Position.Status.FILLED,
            holder=cast.report,
        ),
    }


def assert_no_seat_costs(page: str) -> None:
    for cost in ("987654", "987,654", "987 654", "876543", "876,543"):
        assert cost not in page


def test_my_organisation_shows_me_and_my_direct_reports(client, cast):
    client.force_login(cast.leader_user)
    page = client.get("/org/").content.decode()
    assert "<h1>My organisation</h1>" in page
    assert ">Dana</a>" in page and "badge--you" in page
    assert ">Priya</a>" in page
    assert ">Sam</a>" not in page  # a grandchild waits until the branch is expanded
    # Priya manages one person: her span of control and the control that expands it.
    assert "1 direct report<" in page
    assert f'href="/org/{cast.report.pk}/"' in page  # the link that works with JS off
    assert f'hx-get="/org/{cast.report.pk}/reports/"' in page
    assert f'aria-controls="branch-{cast.report.pk}"' in page
    assert 'aria-expanded="false"' in page
    # Stats: 1 direct report, 3 people in the organisation (Dana, Priya, Sam).
    assert "<dt>Direct reports</dt><dd>1</dd>" in page
    assert "<dt>People in this organisation</dt><dd>3</dd>" in page


def test_open_and_planned_seats_show_at_their_manager_without_cost(client, cast, seats):
    client.force_login(cast.leader_user)
    page = client.get("/org/").content.decode()
    assert "PM, Fraud" in page and "Open seat" in page
    assert "PM, Risk" in page and "Planned seat" in page
    assert "PM, Frozen" not in page and "PM, Taken" not in page
    assert "<dt>Open seats</dt><dd>2</dd>" in page
    assert_no_seat_costs(page)

    # Higher up, the seats are counted on the leader's card and in the org total.
    client.force_login(cast.top.user)
    page = client.get("/org/").content.decode()
    assert "2 open seats" in page
    assert "PM, Fraud" not in page  # listed only where they report
    assert "<dt>Open seats</dt><dd>2</dd>" in page
    assert_no_seat_costs(page)


def test_expanding_a_branch_returns_the_reports_and_seats_as_a_fragment(client, cast, seats):
    client.force_login(cast.top.user)
    response = client.get(f"/org/{cast.leader.pk}/reports/", **HX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert ">Priya</a>" in page
    assert "PM, Fraud" in page and "PM, Risk" in page
    assert f'hx-get="/org/{cast.report.pk}/reports/"' in page  # expands further down
    assert_no_seat_costs(page)
    assert "HX-Request" in response["Vary"]


def test_a_branch_link_opened_without_htmx_goes_to_that_persons_chart(client, cast):
    client.force_login(cast.top.user)
    response = client.get(f"/org/{cast.leader.pk}/reports/")
    assert response.status_code == 302
    assert response["Location"] == f"/org/{cast.leader.pk}/"


def test_every_member_may_browse_any_part_of_the_org(client, cast, seats):
    # Org structure is visible to every signed-in member (DESIGN.md), so Omar, a peer
    # outside Dana's branch, may look at it — still without seat costs.
    client.force_login(cast.peer_user)
    response = client.get(f"/org/{cast.leader.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Dana’s organisation</h1>" in page
    assert "PM, Fraud" in page
    assert_no_seat_costs(page)
    # The reporting line leads back up, and the page offers the way home.
    assert f'<a href="/org/{cast.top.pk}/">Carla</a>' in page
    assert "Back to my organisation" in page


def test_a_person_with_nobody_under_them_sees_an_empty_state(client, cast):
    client.force_login(cast.subreport.user)
    page = client.get("/org/").content.decode()
    assert "No one reports to you yet" in page
    assert 'href="/people/"' in page


def test_a_login_without_a_person_is_told_what_to_do(client, cast):
    client.force_login(cast.outsider_user)
    response = client.get("/org/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your login is not linked to a person yet" in page
    assert "Ask an HR admin" in page
    assert 'href="/people/"' in page
    assert f'href="/org/{cast.top.pk}/"' in page  # the top of the organisation


@pytest.mark.parametrize("url", ["/org/{pk}/", "/people/{pk}/"])
def test_unknown_people_answer_404(client, cast, url):
    client.force_login(cast.top.user)
    assert client.get(url.format(pk=999999)).status_code == 404
    assert client.get("/org/999999/reports/", **HX).status_code == 404


@pytest.mark.parametrize("url", ["/org/{pk}/", "/people/{pk}/", "/org/{pk}/reports/"])
def test_people_who_left_are_hidden_from_members_but_not_from_hr(client, cast, url):
    cast.peer.is_active = False
    cast.peer.save()
    url = url.format(pk=cast.peer.pk)
    client.force_login(cast.top.user)  # even their former manager
    assert client.get(url, **HX).status_code == 404
    client.force_login(cast.hr_user)
    assert client.get(url, **HX).status_code == 200


def test_people_who_left_drop_out_of_the_chart(client, cast):
    cast.peer.is_active = False
    cast.peer.save()
    client.force_login(cast.top.user)
    page = client.get("/org/").content.decode()
    assert ">Omar</a>" not in page
    assert "<dt>Direct reports</dt><dd>1</dd>" in page


def test_hr_admins_open_anyones_chart(client, cast):
    client.force_login(cast.hr_user)
    response = client.get(reverse("org-chart-person", args=[cast.subreport.pk]))
    assert response.status_code == 200
    assert "<h1>Sam’s organisation</h1>" in response.content.decode()
