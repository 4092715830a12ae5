"""The people import: an atomic, re-runnable upsert of the organisation from an HR export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from roles.imports import COLUMNS, people_import
from roles.models import BusinessUnit, Person, Team
from tests.conftest import build_org

HEADER = list(COLUMNS)


def row(email, name=None, **cells) -> dict[str, str]:
    """A CSV row; keyword cells use underscores for spaces (manager_email=…)."""
    values = {"email": email, "full name": email.split("@")[0].title() if name is None else name}
    values |= {k.replace("_", " "): v for k, v in cells.items()}
    return {column: values.get(column, "") for column in HEADER}


def csv_text(rows, *, header=HEADER, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def errors_by_row(result) -> dict[int | None, list[tuple[str, str]]]:
    found: dict[int | None, list[tuple[str, str]]] = {}
    for error in result.errors:
        found.setdefault(error.row, []).append((error.column, error.message))
    return found


def snapshot_of_people() -> list[tuple]:
    return list(
        Person.objects.order_by("email").values_list(
            "email",
            "full_name",
            "title",
            "role_id",
            "manager_id",
            "team_id",
            "business_unit_id",
            "location",
            "start_date",
        )
    )


def history_rows() -> int:
    return Person.history.count() + Team.history.count() + BusinessUnit.history.count()


# --- a good file ------------------------------------------------------------------------


def test_a_new_organisation_is_created_with_managers_given_in_any_order(db):
    # Reports come before their managers, and the CEO comes last.
    rows = [
        row(
            "sam@acme.test",
            "Sam Ng",
            manager_email="PRIYA@acme.test",
            role="Associate Product Manager",
            team="Checkout",
            business_unit="Payments",
            start_date="2024-02-01",
            location="Berlin",
        ),
        row(
            "priya@acme.test",
            "Priya Shah",
            manager_email="dana@acme.test",
            role="Senior Product Manager",
            team="Checkout",
            business_unit="Payments",
            title="Senior PM",
        ),
        row(
            "dana@acme.test",
            "Dana Ruiz",
            manager_email="carla@acme.test",
            role="Director of Product",
            business_unit="Payments",
        ),
        row(
            "carla@acme.test", "Carla Diaz", role="Chief Product Officer", business_unit="R&D Core"
        ),
    ]
    result = people_import(file=csv_text(rows), acting_user=None)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert (result.teams_created, result.units_created) == (1, 2)
    people = {p.email: p for p in Person.objects.select_related("manager", "team", "role")}
    assert people["sam@acme.test"].manager == people["priya@acme.test"]
    assert people["priya@acme.test"].manager == people["dana@acme.test"]
    assert people["dana@acme.test"].manager == people["carla@acme.test"]
    assert people["carla@acme.test"].manager is None
    assert people["sam@acme.test"].start_date == dt.date(2024, 2, 1)
    assert people["sam@acme.test"].location == "Berlin"
    assert people["priya@acme.test"].title == "Senior PM"
    assert people["sam@acme.test"].role.name == "Associate Product Manager"
    assert people["sam@acme.test"].team.business_unit.slug == "payments"
    assert BusinessUnit.objects.get(name="R&D Core").slug == "rd-core"
    # One history row per created person, carrying the real manager.
    first = Person.history.get(email="sam@acme.test")
    assert first.history_type == "+"
    assert first.manager_id == people["priya@acme.test"].pk


def test_re_running_the_same_file_changes_nothing_and_adds_no_history(cast):
    rows = [
        row(
            "new.pm@example.com",
            "New PM",
            manager_email="dana@example.com",
            role="Product Manager",
            team="Checkout",
            business_unit="Payments",
        ),
        row(
            "dana@example.com",
            "Dana",
            role="Director of Product",
            manager_email="carla@example.com",
            team="Checkout",
            business_unit="Payments",
            title="Director of Product",
        ),
        row(
            "extra@example.com",
            "Extra",
            team="Growth",
            business_unit="Growth Unit",
            start_date="2023-05-04",
        ),
    ]
    text = csv_text(rows)
    first = people_import(file=text, acting_user=cast.hr_user)
    assert first.ok, first.errors
    assert (first.created, first.updated, first.unchanged) == (2, 0, 1)
    before, history_before = snapshot_of_people(), history_rows()

    second = people_import(file=text, acting_user=cast.hr_user)

    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert (second.teams_created, second.units_created) == (0, 0)
    assert snapshot_of_people() == before
    assert history_rows() == history_before


def test_upsert_by_email_ignoring_case_updates_title_team_and_manager(cast):
    result = people_import(
        rows=[
            row(
                "PRIYA@Example.com",
                "Priya Shah",
                title="Group PM",
                role="Group Product Manager",
                team="Wallet",
                business_unit="Payments",
                manager_email="omar@example.com",
            ),
        ],
        acting_user=cast.hr_user,
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.teams_created == 1 and result.units_created == 0
    cast.report.refresh_from_db()
    assert cast.report.email == "priya@example.com"  # stored e-mail kept as it was
    assert cast.report.full_name == "Priya Shah"
    assert cast.report.title == "Group PM"
    assert cast.report.role.name == "Group Product Manager"
    assert cast.report.team.name == "Wallet"
    assert cast.report.team.business_unit == cast.report.business_unit
    assert cast.report.manager == cast.peer
    # Everyone else is left alone; the change is in history, by the importer.
    assert Person.objects.count() == 5
    last = cast.report.history.first()
    assert last.history_user == cast.hr_user
    assert last.prev_record.title == "Senior Product Manager"
    assert last.title == "Group PM"
    assert last.history_change_reason == "HR import"


def test_a_team_named_without_its_unit_is_found_by_name(cast):
    result = people_import(rows=[row("new@example.com", team="checkout")], acting_user=None)
    assert result.ok, result.errors
    person = Person.objects.get(email="new@example.com")
    assert person.team.name == "Checkout"
    assert person.business_unit.name == "Payments"


def test_empty_cells_clear_the_fields(cast):
    result = people_import(rows=[row("priya@example.com", "Priya")], acting_user=None)
    assert result.ok, result.errors
    cast.report.refresh_from_db()
    assert cast.report.manager is None
    assert cast.report.role is None
    assert cast.report.team is None
    assert cast.report.title == ""
    # Her report still reports to her.
    cast.subreport.refresh_from_db()
    assert cast.subreport.manager == cast.report


def test_spreadsheet_flavours_of_csv_are_read(db):
    # A byte-order mark, ';' as separator, header names in another case or with
    # underscores, an extra column, a midnight timestamp for a date, a blank line.
    text = (
        "\ufeffEmail;Full_Name;title;ROLE;manager email;team;business unit;location;"
        "start date;employee id\r\n"
        "a@x.test;Ann;;;;;;;2024-01-31 00:00:00;123\r\n"
        ";;;;;;;;;\r\n"
    )
    result = people_import(file=text.encode("utf-8"), acting_user=None)
    assert result.ok, result.errors
    assert result.total_rows == 1
    person = Person.objects.get(email="a@x.test")
    assert (person.full_name, person.start_date) == ("Ann", dt.date(2024, 1, 31))


# --- a bad file -------------------------------------------------------------------------


def test_a_file_mixing_good_and_bad_rows_writes_nothing_and_names_every_bad_row(cast):
    before, history_before = snapshot_of_people(), history_rows()
    rows = [
        row("good1@example.com", "Good One", team="New Team", business_unit="New Unit"),  # 2
        row("bad-email", "Bad Email"),  # 3
        row("good2@example.com", "Good Two", role="Product Manager"),  # 4
        row("badrole@example.com", "Bad Role", role="Wizard"),  # 5
        row("baddate@example.com", "Bad Date", start_date="31/12/2024"),  # 6
        row("nomanager@example.com", "No Manager", manager_email="ghost@example.com"),  # 7
        row("good1@example.com", "Good One Again"),  # 8
        row("", "No Email"),  # 9
        row("self@example.com", "Self", manager_email="SELF@example.com"),  # 10
        row("noname@example.com", ""),  # 11
        row("priya@example.com", "Priya", manager_email="sam@example.com"),  # 12 cycle w/ existing
    ]
    result = people_import(file=csv_text(rows), acting_user=cast.hr_user)

    assert not result.ok
    assert not result.written
    found = errors_by_row(result)
    assert set(found) == {3, 5, 6, 7, 8, 9, 10, 11, 12}
    assert found[3][0][0] == "email" and "not a valid e-mail" in found[3][0][1]
    assert found[5] == [("role", "Unknown role “Wizard”; add it to the job ladder first.")]
    assert found[6][0][0] == "start date" and "YYYY-MM-DD" in found[6][0][1]
    assert found[7][0][0] == "manager email" and "ghost@example.com" in found[7][0][1]
    assert found[8][0][0] == "email" and "also on row 2" in found[8][0][1]
    assert found[9] == [("email", "The e-mail is empty.")]
    assert found[10][0][0] == "manager email" and "cannot manage themself" in found[10][0][1]
    assert found[11] == [("full name", "The full name is empty.")]
    assert found[12][0][0] == "manager email" and "cycle" in found[12][0][1]
    # Nothing was written: no people, no teams, no units, no history.
    assert snapshot_of_people() == before
    assert not Team.objects.filter(name="New Team").exists()
    assert not BusinessUnit.objects.filter(name="New Unit").exists()
    assert history_rows() == history_before


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"email": "not-an-email"}, "email", "not a valid e-mail"),
        ({"email": ""}, "email", "empty"),
        ({"full name": ""}, "full name", "empty"),
        ({"full name": "x" * 201}, "full name", "Longer than 200"),
        ({"role": "Chief Wizard"}, "role", "Unknown role"),
        ({"start date": "2024-13-01"}, "start date", "not a date"),
        ({"start date": "yesterday"}, "start date", "not a date"),
        ({"manager email": "nobody@example.com"}, "manager email", "Nobody has the e-mail"),
        ({"manager email": "solo@example.com"}, "manager email", "cannot manage themself"),
        ({"team": "No Such Team"}, "team", "give its business unit"),
        ({"business unit": "!!!"}, "business unit", "no letters or digits"),
    ],
)
def test_each_kind_of_bad_row_is_named(db, cells, column, fragment):
    good = row("solo@example.com", "Solo")
    result = people_import(rows=[good | cells], acting_user=None)
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert fragment in result.errors[0].message
    assert not Person.objects.exists()


def test_a_duplicate_email_in_the_file_is_refused_ignoring_case(db):
    result = people_import(
        rows=[row("a@example.com"), row("b@example.com"), row("A@EXAMPLE.COM")], acting_user=None
    )
    assert [(e.row, e.column) for e in result.errors] == [(4, "email")]
    assert "also on row 2" in result.errors[0].message
    assert not Person.objects.exists()


def test_a_cycle_inside_the_file_names_every_row_on_it(db):
    result = people_import(
        rows=[
            row("a@example.com", manager_email="b@example.com"),
            row("b@example.com", manager_email="c@example.com"),
            row("c@example.com", manager_email="a@example.com"),
            row("d@example.com", manager_email="a@example.com"),  # hangs off the loop: fine
        ],
        acting_user=None,
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "manager email"),
        (3, "manager email"),
        (4, "manager email"),
    ]
    assert "a@example.com → b@example.com → c@example.com → a@example.com" in (
        result.errors[0].message
    )
    assert not Person.objects.exists()


def test_a_cycle_formed_with_people_not_in_the_file_is_refused(cast):
    # Carla (top) would report to Sam, who reports to Priya → Dana → Carla.
    result = people_import(
        rows=[row("carla@example.com", "Carla", manager_email="sam@example.com")], acting_user=None
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "manager email")]
    assert "cycle" in result.errors[0].message
    cast.top.refresh_from_db()
    assert cast.top.manager is None


def test_a_change_made_between_validation_and_writing_is_caught(cast):
    # Valid when checked: Omar moves under Priya. Before the write starts, someone
    # else moves Dana (Priya's manager) under Omar: the two moves together would loop.
    from roles.services import person_set_manager

    def progress(phase, processed, total):
        if phase == "writing":
            person_set_manager(person=cast.leader, manager=cast.peer)

    result = people_import(
        rows=[row("omar@example.com", "Omar", manager_email="priya@example.com")],
        acting_user=None,
        progress=progress,
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "manager email")]
    assert "cycle" in result.errors[0].message
    cast.peer.refresh_from_db()
    assert cast.peer.manager == cast.top


def test_a_header_without_the_required_columns_is_refused(db):
    text = "email,name\na@example.com,A\n"
    result = people_import(file=text, acting_user=None)
    assert {e.column for e in result.errors} >= {"full name", "manager email", "start date"}
    assert {e.row for e in result.errors} == {1}
    assert not Person.objects.exists()


def test_a_file_without_people_is_refused(db):
    assert [e.message for e in people_import(file="", acting_user=None).errors] == [
        "The file is empty."
    ]
    header_only = people_import(file=csv_text([]), acting_user=None)
    assert [e.message for e in header_only.errors] == [
        "The file has a header but no people under it."
    ]


def test_a_file_that_is_not_utf8_is_refused(db):
    result = people_import(file=csv_text([row("é@x.test")]).encode("latin-1"), acting_user=None)
    assert [e.message for e in result.errors] == ["The file is not UTF-8 text."]


# --- cost -------------------------------------------------------------------------------


def _big_file(n: int, *, manager: str) -> str:
    rows = [
        row(
            f"person{i}@big.test",
            f"Person {i}",
            role="Product Manager",
            team=f"Team {i % 7}",
            business_unit=f"Unit {i % 3}",
            manager_email=f"person{i - 1}@big.test" if i else manager,
        )
        for i in range(n)
    ]
    return csv_text(rows)


def test_validation_takes_the_same_queries_for_20_and_2000_rows(db, django_assert_num_queries):
    root = build_org(size=500)
    small, large = _big_file(20, manager=root.email), _big_file(2000, manager=root.email)
    # 1 people, 2 roles, 3 business units, 4 teams — whatever the size of file or org.
    with django_assert_num_queries(4):
        assert people_import(file=small, acting_user=None, dry_run=True).created == 20
    with django_assert_num_queries(4):
        assert people_import(file=large, acting_user=None, dry_run=True).created == 2000
    assert Person.objects.count() == 500


def test_writing_takes_a_statement_per_batch_not_per_row(db, django_assert_max_num_queries):
    root = build_org(size=50)
    # A flat file: everyone reports to the existing root, so one level of new people.
    rows = [
        row(
            f"flat{i}@big.test",
            f"Flat {i}",
            team="Flat",
            business_unit="Flat Unit",
            manager_email=root.email,
        )
        for i in range(2000)
    ]
    # 8 snapshot loads (validation, then again under the lock), a savepoint pair, a unit
    # and a team with their history, then people and their history rows in batches
    # (500 rows; fewer on SQLite, which caps the parameters of one statement at 999).
    with django_assert_max_num_queries(100):
        result = people_import(file=csv_text(rows), acting_user=None)
    assert result.ok and result.created == 2000
    assert Person.objects.filter(manager=root).count() == 2000 + 6


# --- the command ------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_a_summary(cast, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(csv_text([row("cmd@example.com", "Cmd", manager_email="dana@example.com")]))
    call_command("import_people", str(path), "--as-user", cast.hr_user.username)
    assert "1 created" in capsys.readouterr().out
    person = Person.objects.get(email="cmd@example.com")
    assert person.manager == cast.leader
    assert person.history.first().history_user == cast.hr_user


def test_the_command_prints_every_error_and_fails(cast, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(csv_text([row("x@example.com", role="Nope"), row("bad")]))
    with pytest.raises(CommandError, match="2 problems"):
        call_command("import_people", str(path))
    err = capsys.readouterr().err
    assert "row 2, role: Unknown role “Nope”" in err
    assert "row 3, email:" in err
    assert not Person.objects.filter(email="x@example.com").exists()


def test_the_command_dry_run_writes_nothing(cast, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(csv_text([row("dry@example.com")]))
    call_command("import_people", str(path), "--dry-run")
    assert "Would import 1 rows: 1 created" in capsys.readouterr().out
    assert not Person.objects.filter(email="dry@example.com").exists()
