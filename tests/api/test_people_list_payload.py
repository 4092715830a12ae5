"""The people list reads plain rows; its answer is byte for byte PersonSerializer's.

The page is compared with what ``PersonSerializer(many=True)`` makes of the same people
read as model instances, rendered by the same renderer, with every nullable relation
missing somewhere on the page (no role, manager, team or unit, no start date), inactive
people, and filtered, ordered, searched and second pages.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from rest_framework.renderers import JSONRenderer

from roles.api import PERSON_DEFAULT_ORDER, PERSON_LIST_COLUMNS, PersonSerializer
from roles.models import BusinessUnit, Person, Role, Team
from roles.selectors import person_list


@pytest.fixture
def people(cast) -> list[Person]:
    unit = BusinessUnit.objects.create(name="Ünits & <Co>", slug="units-co")
    team = Team.objects.create(name='Team "quoted"', business_unit=unit)
    role = Role.objects.create(name="Rôle", track="individual", level=3)
    made = [
        Person.objects.create(
            full_name="Aaron Nothing", email="aaron@payload.test"
        ),  # no role, manager, team, unit or start date
        Person.objects.create(
            full_name="Bea Everything",
            email="bea@payload.test",
            title="Head of 💡",
            role=role,
            manager=cast.leader,
            team=team,
            business_unit=unit,
            location="Zürich",
            start_date=date(2021, 2, 28),
        ),
        Person.objects.create(
            full_name="Cem Inactive",
            email="cem@payload.test",
            manager=cast.report,
            business_unit=unit,
            is_active=False,
            start_date=date(1999, 12, 31),
        ),
        Person.objects.create(
            full_name="Dana Teamless", email="dana@payload.test", role=role, team=None
        ),
    ]
    # Microseconds and a non-zero offset in the stored instant.
    Person.objects.filter(pk=made[0].pk).update(
        created_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        updated_at=datetime(2024, 6, 30, 23, 59, 59, tzinfo=UTC),
    )
    return made


def _expected(client_response, ids: list[int]) -> bytes:
    """What the serializer answers for the people ``ids``, in the list's envelope."""
    by_id = {person.pk: person for person in person_list().filter(pk__in=ids)}
    body = json.loads(client_response.content)
    body["results"] = PersonSerializer([by_id[pk] for pk in ids], many=True).data
    return JSONRenderer().render(body)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page_size=3",
        "?page_size=3&page=2",
        "?is_active=false",
        "?ordering=-level",
        "?ordering=start_date",
        "?ordering=-created_at",
        "?search=payload.test",
        "?page_size=500",
    ],
)
@pytest.mark.parametrize("timezone_name", ["UTC", "Europe/Berlin"])
def test_the_page_is_what_the_serializer_answers(
    client_for, cast, people, query, timezone_name, settings
):
    settings.TIME_ZONE = timezone_name
    response = client_for(cast.report_user).get("/api/v1/people/" + query)
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids
    assert response.content == _expected(response, ids)


def test_every_kind_of_row_is_on_the_page(client_for, cast, people):
    rows = {
        row["email"]: row
        for row in client_for(cast.report_user)
        .get("/api/v1/people/?page_size=500")
        .json()["results"]
    }
    nothing, everything, inactive = (
        rows["aaron@payload.test"],
        rows["bea@payload.test"],
        rows["cem@payload.test"],
    )
    assert nothing["role"] is nothing["manager"] is nothing["team"] is None
    assert nothing["business_unit"] is nothing["start_date"] is None
    assert nothing["manager_name"] is nothing["team_name"] is None
    assert nothing["created_at"] == "2024-01-02T03:04:05.678901Z"
    assert everything["manager_name"] == cast.leader.full_name
    assert everything["start_date"] == "2021-02-28"
    assert inactive["is_active"] is False
    assert list(everything) == PersonSerializer.Meta.fields


def test_one_person_still_comes_from_the_serializer(client_for, cast, people):
    person = people[1]
    response = client_for(cast.report_user).get(f"/api/v1/people/{person.pk}/")
    assert response.content == JSONRenderer().render(
        PersonSerializer(person_list().get(pk=person.pk)).data
    )


def test_without_filters_the_page_and_its_total_are_one_statement(client_for, cast, people):
    """A list asked for no filter skips building the FilterSet and reads the page with
    its total in one statement; the answer is the same as through the FilterSet."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.report_user)

    def answer(url: str) -> tuple[bytes, list[str]]:
        """The body, and the statements reading people."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        statements = [q["sql"] for q in queries.captured_queries if "roles_person" in q["sql"]]
        return response.content, statements

    plain, plain_sql = answer("/api/v1/people/?page_size=3&page=2")
    # An empty `ordering` or `search` goes through the FilterSet and changes nothing.
    filtered, filtered_sql = answer("/api/v1/people/?page_size=3&page=2&ordering=")

    def page(body: bytes) -> tuple:
        data = json.loads(body)  # the links differ by the query they carry
        return data["count"], data["results"]

    assert page(filtered) == page(plain)
    assert page(answer("/api/v1/people/?page_size=3&page=2&search=&is_active=")[0]) == page(plain)
    assert len(plain_sql) == 1 and len(filtered_sql) == 2
    # The total is the people's alone, without the joins of the page.
    with CaptureQueriesContext(connection) as counted:
        person_list().only(*PERSON_LIST_COLUMNS).order_by(*PERSON_DEFAULT_ORDER).count()
    assert filtered_sql[0] == counted.captured_queries[0]["sql"]
    assert '(SELECT COUNT(U0."id") AS "n" FROM "roles_person" U0) AS "list_total"' in plain_sql[0]
    assert 'ASC, "roles_person"."id" ASC' in plain_sql[0]  # full name, then id
    # The last, short page and the page past it answer as the paginator does.
    everyone = Person.objects.count()
    size = everyone // 2 + 1  # two pages, the second one short
    last = client.get(f"/api/v1/people/?page_size={size}&page=2").json()
    assert last["count"] == everyone and last["next"] is None
    assert len(last["results"]) == everyone - size
    assert client.get(f"/api/v1/people/?page_size={size}&page=3").status_code == 404
    by_name = client.get(f"/api/v1/people/?page=last&page_size={size}").json()
    assert by_name["results"] == last["results"] and by_name["count"] == everyone


@pytest.mark.postgres
def test_on_postgresql_in_utc_the_page_reads_its_times_formatted(require_postgres, settings):
    """The byte-for-byte comparisons above then cover PostgreSQL's formatting of times."""
    from roles.api import _database_formats_times

    settings.TIME_ZONE = "UTC"
    assert _database_formats_times()
    settings.TIME_ZONE = "Europe/Berlin"
    assert not _database_formats_times()
