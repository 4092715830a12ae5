"""HR exports people, units, teams, roles and seats as CSV and XLSX from the admin."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.imports import COLUMNS, people_import
from roles.models import Person, Position
from tests.conftest import build_org
from tests.factories import PositionFactory, UserFactory

CSV, XLSX = "0", "1"


@pytest.fixture
def hr_client(client, cast):
    client.force_login(cast.hr_user)
    return client


def export(client, model: str, file_format: str, **filters):
    url = reverse(f"admin:roles_{model}_export")
    if filters:
        url += "?" + "&".join(f"{k}={v}" for k, v in filters.items())
    response = client.post(url, {"format": file_format, "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    return response


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_people_csv_has_exactly_the_import_columns(hr_client, cast):
    Person.objects.filter(pk=cast.report.pk).update(location="Lisbon", start_date="2022-03-01")
    response = export(hr_client, "person", CSV)

    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == [
        "email",
        "full name",
        "title",
        "role",
        "manager email",
        "team",
        "business unit",
        "location",
        "start date",
    ]
    assert tuple(rows[0]) == COLUMNS
    by_email = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert len(by_email) == 5
    assert by_email["priya@example.com"] == {
        "email": "priya@example.com",
        "full name": "Priya",
        "title": "Senior Product Manager",
        "role": "Senior Product Manager",
        "manager email": "dana@example.com",
        "team": "Checkout",
        "business unit": "Payments",
        "location": "Lisbon",
        "start date": "2022-03-01",
    }
    assert by_email["carla@example.com"]["manager email"] == ""


def test_the_people_xlsx_has_the_same_columns(hr_client, cast):
    rows = xlsx_rows(export(hr_client, "person", XLSX))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 6
    assert {r[0] for r in rows[1:]} == {p.email for p in Person.objects.all()}


def test_the_export_follows_the_list_filters(hr_client, cast):
    rows = csv_rows(export(hr_client, "person", CSV, role__id__exact=cast.leader.role_id))
    assert sorted(r[0] for r in rows[1:]) == ["dana@example.com", "omar@example.com"]


def test_an_exported_file_imports_back_unchanged(hr_client, cast):
    history = Person.history.count()
    result = people_import(file=export(hr_client, "person", CSV).content, acting_user=None)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert Person.history.count() == history


@pytest.mark.parametrize(
    ("model", "header"),
    [
        ("role", ["name", "family", "track", "level", "summary", "responsibilities"]),
        ("team", ["name", "business unit", "kind", "lead email"]),
        ("businessunit", ["name", "slug", "parent unit", "leader email"]),
        (
            "position",
            [
                "seat id",
                "title",
                "role",
                "team",
                "status",
                "holder email",
                "reports to email",
                "reports to seat id",
                "budgeted annual cost",
                "currency",
            ],
        ),
    ],
)
@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_roles_teams_units_and_seats_export(hr_client, cast, model, header, file_format):
    PositionFactory(
        team=cast.report.team,
        status=Position.Status.FILLED,
        holder=cast.report,
        reports_to=cast.leader,
        budgeted_annual_cost=123456,
    )
    response = export(hr_client, model, file_format)
    rows = csv_rows(response) if file_format == CSV else xlsx_rows(response)
    assert [str(c) for c in rows[0]] == header
    assert len(rows) > 1
    if model == "position":
        seat = dict(zip(header, rows[1], strict=True))
        assert seat["holder email"] == "priya@example.com"
        assert seat["reports to email"] == "dana@example.com"
        assert str(seat["budgeted annual cost"]).startswith("123456")


def test_the_ladder_exports_most_senior_first(hr_client, cast):
    names = [r[0] for r in csv_rows(export(hr_client, "role", CSV))[1:]]
    assert names[0] == "Chief Product Officer"
    assert names[-1] == "Associate Product Manager"


def test_nobody_but_hr_can_export_seat_costs(client, cast):
    PositionFactory(budgeted_annual_cost=555555)
    for user in (UserFactory(is_staff=True), cast.leader_user):
        client.force_login(user)
        response = client.post(
            reverse("admin:roles_position_export"), {"format": CSV, "resource": "0"}
        )
        assert response.status_code == 302
        assert b"555555" not in response.content


def test_exporting_people_takes_the_same_queries_for_20_and_200_people(client, db):
    client.force_login(UserFactory(hr_admin=True))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export(client, "person", CSV)
        return len(ctx)

    build_org(size=20)
    small = count()
    build_org(size=200)
    assert count() == small
