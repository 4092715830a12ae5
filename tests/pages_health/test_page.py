"""The dashboard page: headline, charts with tables, sortable and filterable tables
(htmx partials and plain links), empty states, privacy, CSV and the printable view."""

from __future__ import annotations

import csv
import io

from roles.models import Position

from .conftest import HX


def _page(client, user, leader, **params):
    client.force_login(user)
    return client.get(f"/dashboard/{leader.pk}/", params)


def test_the_page_shows_headline_charts_and_tables(client, cast, period, portfolio, goals):
    response = _page(client, cast.leader_user, cast.leader, period=period.pk)
    assert response.status_code == 200
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert dashboard.headline.people == 3
    # Charts are inline SVG images with a sentence for screen readers and a table.
    assert html.count('class="dchart dchart--line"') == 5
    assert 'role="img"' in html and "aria-label=" in html
    assert "Numbers as a table" in html
    assert "Products by lifecycle stage" in html
    assert "Goal progress by business unit" in html
    assert "Checkout" in html and "Wallet" in html
    assert "Ledger" not in html  # the peer's product is not in this subtree


def test_private_goals_the_viewer_may_not_see_are_never_counted_or_named(
    client, cast, period, portfolio, goals
):
    # The CPO sees everything under them, private goals included.
    top = _page(client, cast.top.user, cast.top, period=period.pk).context["dashboard"]
    assert top.headline.goals == 4
    # The leader opens their own: the peer's private goal is outside their subtree.
    leader = _page(client, cast.leader_user, cast.leader, period=period.pk)
    assert leader.context["dashboard"].headline.goals == 3
    assert "Peer" not in leader.content.decode()
    # The CPO's subtree seen by HR counts everything.
    hr = _page(client, cast.hr_user, cast.top, period=period.pk).context["dashboard"]
    assert hr.headline.goals == 4
    assert sum(u.goals for u in hr.units) == 4


def test_a_private_goal_above_the_viewer_stays_hidden_on_a_subtree_they_may_see(
    client, cast, period, portfolio, goals
):
    """``report`` opens their own dashboard: goals in it are theirs or their report's,
    so all visible; the CPO's view of the same subtree counts the same."""
    own = _page(client, cast.report_user, cast.report, period=period.pk)
    assert own.context["dashboard"].headline.goals == 3
    export = client.get(f"/dashboard/{cast.report.pk}/export.csv", {"table": "units"})
    assert "Peer" not in export.content.decode()


def test_seat_costs_never_appear(client, cast, period, portfolio):
    Position.objects.create(
        role=cast.report.role,
        reports_to=cast.report,
        status=Position.Status.OPEN,
        budgeted_annual_cost=123456,
    )
    response = _page(client, cast.leader_user, cast.leader, period=period.pk)
    assert response.context["dashboard"].headline.open_seats == 1
    for body in (
        response.content,
        client.get(f"/dashboard/{cast.leader.pk}/print/", {"period": period.pk}).content,
        *(
            client.get(f"/dashboard/{cast.leader.pk}/export.csv", {"table": t}).content
            for t in ("products", "units", "findings")
        ),
    ):
        text = body.decode()
        assert "123456" not in text and "123,456" not in text


def test_tables_sort_and_filter_with_plain_links(client, cast, period, portfolio):
    response = _page(client, cast.leader_user, cast.leader, period=period.pk, sort="-name")
    assert [r.name for r in response.context["products"].rows] == ["Wallet", "Checkout"]
    html = response.content.decode()
    # The header of the sorted column says so and links to the other order.
    assert 'aria-sort="descending"' in html
    assert "sort=name" in html
    response = _page(client, cast.leader_user, cast.leader, period=period.pk, stage="launch")
    assert [r.name for r in response.context["products"].rows] == ["Wallet"]


def test_htmx_swaps_only_the_table(client, cast, period, portfolio):
    client.force_login(cast.leader_user)
    url = f"/dashboard/{cast.leader.pk}/"
    response = client.get(url, {"period": period.pk, "q": "wal", "partial": "products"}, **HX)
    html = response.content.decode()
    assert html.lstrip().startswith("<div") or html.lstrip().startswith("{% load")
    assert 'id="dash-products-body"' in html
    assert "Wallet" in html and "Checkout" not in html
    assert "<html" not in html
    response = client.get(url, {"period": period.pk, "usort": "-goals", "partial": "units"}, **HX)
    assert 'id="dash-units"' in response.content.decode()
    response = client.get(url, {"partial": "findings", "kind": "span_out_of_range"}, **HX)
    assert 'id="dash-findings-body"' in response.content.decode()
    # Without htmx the same URL is the whole page.
    response = client.get(url, {"period": period.pk, "partial": "products"})
    assert "<html" in response.content.decode()


def test_empty_states_say_what_to_do_next(client, cast, period):
    response = _page(client, cast.leader_user, cast.leader, period=period.pk)
    html = response.content.decode()
    assert "No metrics yet" in html
    assert (
        "upload observations via the API or CSV on the product page".lower()
        in html.lower().replace(" (post /api/v1/metric-observations/bulk/)", "")
    )
    assert "No goals in this period yet" in html
    assert "No products in this organisation yet" in html


def test_no_period_yet(client, cast):
    client.force_login(cast.leader_user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "No planning period yet" in response.content.decode()


def test_csv_export_of_each_table(client, cast, period, portfolio, goals):
    client.force_login(cast.leader_user)
    url = f"/dashboard/{cast.leader.pk}/export.csv"
    response = client.get(url, {"period": period.pk, "table": "products", "sort": "-name"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["product", "stage", "owner", "business unit"]
    assert "Latency (ms) latest" in rows[0]
    assert [r[0] for r in rows[1:]] == ["Wallet", "Checkout"]
    wallet = dict(zip(rows[0], rows[1], strict=True))
    assert wallet["stage"] == "Launch"
    assert wallet["Latency (ms) latest"] == "200.0000"
    assert wallet["Latency (ms) comparison"] == "previous"

    rows = list(csv.reader(io.StringIO(client.get(url, {"table": "units"}).content.decode())))
    assert rows[0] == [
        "business unit",
        "goals",
        "average progress",
        "on track",
        "at risk",
        "off track",
    ]
    assert rows[1][:2] == ["Payments", "3"]

    rows = list(csv.reader(io.StringIO(client.get(url, {"table": "findings"}).content.decode())))
    assert rows[0] == ["kind", "finding", "subject", "owner", "detail", "link"]
    assert len(rows) > 1
    assert all(r[5].startswith("http://testserver/") or r[5] == "" for r in rows[1:])

    assert client.get(url, {"table": "budgets"}).status_code == 404


def test_printable_view_renders_every_section_without_controls(
    client, cast, period, portfolio, goals
):
    client.force_login(cast.leader_user)
    response = client.get(f"/dashboard/{cast.leader.pk}/print/", {"period": period.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="is-print"' in html
    assert "Key metrics" in html and "Alignment findings" in html and "Products" in html
    assert 'id="dash-leader"' not in html and 'class="topbar"' not in html
    assert "Checkout" in html and "Wallet" in html
