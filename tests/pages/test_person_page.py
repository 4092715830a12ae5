"""The person page: rung, team, unit, reporting line, reports and open seats."""

from __future__ import annotations

import datetime

from tests.factories import PositionFactory


def test_the_person_page_shows_where_someone_sits(client, cast):
    cast.report.location = "Lisbon"
    cast.report.start_date = datetime.date(2021, 3, 1)
    cast.report.save()
    client.force_login(cast.peer_user)
    page = client.get(f"/people/{cast.report.pk}/").content.decode()
    assert "<h1>Priya" in page
    assert "Senior Product Manager" in page  # role
    assert "Individual contributor" in page and "Level 50" in page  # track and level
    assert "Checkout" in page and "Payments" in page  # team and unit
    assert "Lisbon" in page
    assert '<time datetime="2021-03-01">1 March 2021</time>' in page
    assert f'href="/org/{cast.report.pk}/"' in page  # their org chart
    assert ">Sam<" in page  # direct report


def test_the_reporting_line_runs_from_the_top_down(client, cast):
    client.force_login(cast.leader_user)
    page = client.get(f"/people/{cast.subreport.pk}/").content.decode()
    crumbs = page[
        page.index('aria-label="Reporting line"') : page.index(
            "</nav>", page.index('aria-label="Reporting line"')
        )
    ]
    positions = [
        crumbs.index(f'href="/people/{p.pk}/"') for p in (cast.top, cast.leader, cast.report)
    ]
    assert positions == sorted(positions)
    assert '<span aria-current="page">Sam</span>' in crumbs


def test_the_top_of_the_org_has_no_reporting_line(client, cast):
    client.force_login(cast.leader_user)
    page = client.get(f"/people/{cast.top.pk}/").content.decode()
    assert 'aria-label="Reporting line"' not in page
    assert "is at the top of the organisation" in page


def test_open_seats_are_listed_without_their_cost(client, cast):
    PositionFactory(reports_to=cast.leader, title="PM, Fraud", budgeted_annual_cost=987654)
    client.force_login(cast.peer_user)
    page = client.get(f"/people/{cast.leader.pk}/").content.decode()
    assert "PM, Fraud" in page
    assert "987654" not in page and "987,654" not in page


def test_empty_sections_say_so(client, cast):
    client.force_login(cast.leader_user)
    page = client.get(f"/people/{cast.subreport.pk}/").content.decode()
    assert "No direct reports" in page
    assert "No open seats" in page
