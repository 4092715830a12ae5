"""The goals CSV export: the alignment page's filters, only the goals the viewer may see,
and among each goal's parents only those they may see."""

from __future__ import annotations

import csv
import io

from roadmaps.models import Goal
from roadmaps.services import goal_create, goal_link_create

HEADER = ["id", "title", "level", "status", "owner", "period", "progress", "visibility", "parents"]


def rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="goals-')
    reader = csv.reader(io.StringIO(response.content.decode()))
    assert next(reader) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in reader]


def test_export_lists_the_goals_of_the_period(client, cast, goals):
    client.force_login(cast.report_user)
    by_title = {r["title"]: r for r in rows(client.get("/goals/export.csv"))}
    assert set(by_title) == {
        "Win the mid-market",
        "Double payments revenue",
        "Ship one-click checkout",
        "Hire two PMs",
        "Secret pricing experiment",
        "Private growth plan",
        "Tidy the backlog",
    }
    team = by_title["Ship one-click checkout"]
    assert team == {
        "id": str(goals.team.pk),
        "title": "Ship one-click checkout",
        "level": "Team",
        "status": "On track",
        "owner": "Priya",
        "period": "This quarter",
        "progress": "0.00",
        "visibility": "Public",
        "parents": f"{goals.unit.pk} (contributes)",
    }
    assert by_title["Hire two PMs"]["parents"] == f"{goals.company.pk} (supports)"
    assert by_title["Secret pricing experiment"]["visibility"] == "Private"


def test_private_goals_of_others_are_never_exported(client, cast, goals):
    # A public goal of the peer aligned under the report's private goal: the peer sees
    # their own goal but not the private parent.
    mine = goal_create(
        title="Peer's public goal",
        level=Goal.Level.INDIVIDUAL,
        owner=cast.peer,
        period=goals.team.period,
    )
    goal_link_create(child=mine, parent=goals.private)
    client.force_login(cast.peer_user)
    exported = rows(client.get("/goals/export.csv"))
    titles = {r["title"] for r in exported}
    assert "Secret pricing experiment" not in titles and "Private growth plan" not in titles
    assert {r["visibility"] for r in exported} == {"Public"}
    assert next(r for r in exported if r["title"] == "Peer's public goal")["parents"] == ""
    # Not with filters aimed at them either.
    exported = rows(client.get("/goals/export.csv", {"owner": cast.report.pk}))
    assert {r["title"] for r in exported} == {"Ship one-click checkout", "Tidy the backlog"}
    # The manager of their owner exports them.
    client.force_login(cast.leader_user)
    titles = {r["title"] for r in rows(client.get("/goals/export.csv"))}
    assert "Secret pricing experiment" in titles


def test_export_takes_the_alignment_filters(client, cast, goals):
    client.force_login(cast.peer_user)
    exported = rows(
        client.get(
            "/goals/export.csv", {"period": goals.team.period_id, "product": goals.product.pk}
        )
    )
    assert [r["title"] for r in exported] == ["Ship one-click checkout"]
    exported = rows(
        client.get("/goals/export.csv", {"business_unit": cast.leader.business_unit_id})
    )
    assert {r["title"] for r in exported} == {"Double payments revenue", "Ship one-click checkout"}


def test_cells_a_spreadsheet_would_run_as_formulas_are_escaped(client, cast, goals):
    goal_create(
        title='=HYPERLINK("http://evil")',
        level=Goal.Level.TEAM,
        owner=cast.peer,
        period=goals.team.period,
    )
    client.force_login(cast.peer_user)
    titles = [r["title"] for r in rows(client.get("/goals/export.csv"))]
    assert '\'=HYPERLINK("http://evil")' in titles


def test_export_without_any_period_is_just_the_header(client, cast):
    client.force_login(cast.peer_user)
    assert rows(client.get("/goals/export.csv")) == []
