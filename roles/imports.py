"""Import of people from an HR export: one atomic, re-runnable upsert of the organisation.

The file is a CSV with a header row naming these columns (any order, any case; extra
columns are ignored)::

    email, full name, title, role, manager email, team, business unit, location, start date

Each row is one person, matched to an existing person by e-mail ignoring case: a new
e-mail creates a person, a known one updates them. A cell left empty clears the field
(no role, no manager, no team…); people who are not in the file are left alone. Missing
teams and business units are created by name. ``manager email`` may name someone further
down the file or someone already in the organisation.

Nothing is written unless every row is valid: a bad file is rejected with every problem
listed (row, column, message). Row numbers are those a spreadsheet shows: the header is
row 1, the first person row 2. Re-running the same file changes nothing and writes no
history rows.

How it runs:

1. *Validation*, outside any transaction: the existing people, roles, teams and units
   are loaded in four queries whatever the size of the file or the organisation, and
   every row is checked in memory, including a cycle search over the final reporting
   graph (existing lines plus the file's). ``progress`` is told how far it got.
2. *Writing*, in one transaction: the tables are locked against concurrent writers, the
   snapshot is loaded again and the plan re-validated against it (so a change made by
   someone else between the two phases cannot slip in), then units, teams and people
   are written with bulk operations and their history rows (who, when, the values).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import BusinessUnit, ImportJob, Person, Role, Team

logger = logging.getLogger(__name__)

COLUMNS = (
    "email",
    "full name",
    "title",
    "role",
    "manager email",
    "team",
    "business unit",
    "location",
    "start date",
)
# The person fields an import sets; everything else (login, active flag) is left alone.
IMPORTED_FIELDS = (
    "full_name",
    "title",
    "role_id",
    "manager_id",
    "team_id",
    "business_unit_id",
    "location",
    "start_date",
)
BATCH_SIZE = 500
HISTORY_REASON = "HR import"
MAX_CYCLE_SHOWN = 8

ProgressCallback = Callable[[str, int, int], None]
"""``progress(phase, processed_rows, total_rows)``; phase is ``validating`` or ``writing``."""


@dataclass(frozen=True)
class ImportRowError:
    """One problem in the file. ``row`` is None for the file as a whole."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, {self.column or 'file'}: {self.message}"


@dataclass
class ImportResult:
    """What an import did (or, when ``errors`` is not empty, why it did nothing)."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_created: int = 0
    units_created: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading the file -------------------------------------------------------------------


def _header_key(name: object) -> str:
    return " ".join(str(name or "").replace("_", " ").strip().lower().split())


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _read_text(file: IO | bytes | str) -> str:
    data = file.read() if hasattr(file, "read") else file
    if isinstance(data, bytes):
        return data.decode("utf-8-sig")
    return data.removeprefix("\ufeff")


def _pick_delimiter(first_line: str) -> str:
    """Spreadsheets in many locales save CSV with ';' or tabs: use whichever gives our header."""
    for delimiter in (",", ";", "\t"):
        names = {_header_key(cell) for cell in next(csv.reader([first_line], delimiter=delimiter))}
        if {"email", "full name"} <= names:
            return delimiter
    return ","


def _rows_from_text(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[ImportRowError]]:
    if not text.strip():
        return [], [ImportRowError(None, "", "The file is empty.")]
    first_line = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_pick_delimiter(first_line))
    try:
        header = [_header_key(cell) for cell in next(reader)]
        errors = _check_header(header)
        if errors:
            return [], errors
        rows: list[tuple[int, dict[str, str]]] = []
        errors = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are common at the end of exports
            if any(cell.strip() for cell in cells[len(header) :]):
                errors.append(ImportRowError(number, "", "The row has more cells than the header."))
            rows.append(
                (number, {name: _cell(value) for name, value in zip(header, cells, strict=False)})
            )
    except csv.Error as exc:
        return [], [ImportRowError(None, "", f"The file is not valid CSV: {exc}.")]
    return rows, errors


def _check_header(header: list[str]) -> list[ImportRowError]:
    errors = []
    seen = set()
    for name in header:
        if name in COLUMNS and name in seen:
            errors.append(ImportRowError(1, name, "The column appears more than once."))
        seen.add(name)
    for name in COLUMNS:
        if name not in seen:
            errors.append(ImportRowError(1, name, f"Missing column “{name}” in the header row."))
    return errors


def _rows_from_mappings(
    rows: Iterable[Mapping[str, object]],
) -> tuple[list[tuple[int, dict[str, str]]], list[ImportRowError]]:
    parsed = []
    for number, row in enumerate(rows, start=2):
        parsed.append((number, {_header_key(k): _cell(v) for k, v in row.items()}))
    if not parsed:
        return [], [ImportRowError(None, "", "The file is empty.")]
    return parsed, _check_header(list(parsed[0][1]))


# --- the organisation as it is ----------------------------------------------------------


@dataclass
class _Snapshot:
    people: list[Person]
    people_by_key: dict[str, list[Person]]
    email_key_by_id: dict[int, str]
    role_id_by_key: dict[str, int]
    unit_id_by_name: dict[str, int]
    unit_id_by_slug: dict[str, int]
    unit_name_by_id: dict[int, str]
    team_id_by_unit_and_name: dict[tuple[int, str], int]
    teams_by_name: dict[str, list[tuple[int, int]]]  # name key -> [(team id, unit id)]


def _load_snapshot() -> _Snapshot:
    """Everything validation needs, in four queries whatever the size of the organisation."""
    people = list(Person.objects.order_by("pk"))  # 1: people
    people_by_key: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        people_by_key[person.email.lower()].append(person)
    roles = Role.objects.values_list("id", "name")  # 2: the ladder
    units = list(BusinessUnit.objects.values_list("id", "name", "slug"))  # 3: units
    teams = Team.objects.values_list("id", "name", "business_unit_id")  # 4: teams
    teams_by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)
    team_id_by_unit_and_name = {}
    for team_id, name, unit_id in teams:
        team_id_by_unit_and_name[(unit_id, name.lower())] = team_id
        teams_by_name[name.lower()].append((team_id, unit_id))
    return _Snapshot(
        people=people,
        people_by_key=people_by_key,
        email_key_by_id={p.pk: p.email.lower() for p in people},
        role_id_by_key={name.lower(): pk for pk, name in roles},
        unit_id_by_name={name.lower(): pk for pk, name, _ in units},
        unit_id_by_slug={slug: pk for pk, _, slug in units},
        unit_name_by_id={pk: name for pk, name, _ in units},
        team_id_by_unit_and_name=team_id_by_unit_and_name,
        teams_by_name=teams_by_name,
    )


# --- validation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _NewUnit:
    name: str
    slug: str


@dataclass(frozen=True)
class _NewTeam:
    name: str
    unit: int | _NewUnit


@dataclass
class _Row:
    number: int
    email: str
    key: str
    values: dict[str, Any]  # full_name, title, location, start_date, role_id
    manager_key: str | None = None
    unit: int | _NewUnit | None = None
    team: int | _NewTeam | None = None
    existing: Person | None = None
    changed: bool = True


@dataclass
class _Plan:
    rows: list[_Row]
    new_units: dict[str, _NewUnit]
    new_teams: dict[tuple[Any, str], _NewTeam]
    errors: list[ImportRowError]
    snapshot: _Snapshot
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _validate(
    parsed: list[tuple[int, dict[str, str]]],
    snapshot: _Snapshot,
    *,
    progress: ProgressCallback | None = None,
) -> _Plan:
    """Check every row against the snapshot and work out what to write; writes nothing."""
    total = len(parsed)
    errors: list[ImportRowError] = []
    plan = _Plan(rows=[], new_units={}, new_teams={}, errors=errors, snapshot=snapshot)
    first_row_of_key: dict[str, int] = {}
    unitless_team_rows: list[tuple[_Row, str]] = []
    step = max(100, total // 50)

    def error(number: int, column: str, message: str) -> None:
        errors.append(ImportRowError(number, column, message))

    def text(number: int, cells: dict[str, str], column: str, model, field_name: str) -> str:
        value = cells.get(column, "")
        limit = _max_length(model, field_name)
        if len(value) > limit:
            error(number, column, f"Longer than {limit} characters.")
        return value

    for index, (number, cells) in enumerate(parsed, start=1):
        email = cells.get("email", "")
        key = email.lower()
        if not email:
            error(number, "email", "The e-mail is empty.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                error(number, "email", f"“{email}” is not a valid e-mail address.")
            if key in first_row_of_key:
                error(
                    number,
                    "email",
                    f"{email} is also on row {first_row_of_key[key]}; each person may appear once.",
                )
            else:
                first_row_of_key[key] = number
            matches = snapshot.people_by_key.get(key, ())
            if len(matches) > 1:
                error(number, "email", f"Several people share the e-mail {email} (ignoring case).")
        full_name = text(number, cells, "full name", Person, "full_name")
        if not full_name:
            error(number, "full name", "The full name is empty.")
        row = _Row(
            number=number,
            email=email,
            key=key,
            existing=snapshot.people_by_key[key][0] if key in snapshot.people_by_key else None,
            values={
                "full_name": full_name,
                "title": text(number, cells, "title", Person, "title"),
                "location": text(number, cells, "location", Person, "location"),
            },
        )
        row.values["start_date"] = _parse_date(number, cells.get("start date", ""), error)
        row.values["role_id"] = _resolve_role(number, cells.get("role", ""), snapshot, error)

        manager_email = cells.get("manager email", "")
        if manager_email:
            manager_key = manager_email.lower()
            if email and manager_key == key:
                error(number, "manager email", f"{full_name or email} cannot manage themself.")
            else:
                row.manager_key = manager_key

        unit_name = text(number, cells, "business unit", BusinessUnit, "name")
        if unit_name:
            row.unit = _resolve_unit(number, unit_name, snapshot, plan, error)
        team_name = text(number, cells, "team", Team, "name")
        if team_name:
            if unit_name:
                if row.unit is not None:
                    row.team = _resolve_team_in_unit(team_name, row.unit, snapshot, plan)
            else:
                unitless_team_rows.append((row, team_name))
        plan.rows.append(row)
        if progress and (index % step == 0 or index == total):
            progress(ImportJob.Status.VALIDATING, index, total)

    # A team named without its unit is looked up once every row has been read, so that
    # it may refer to a team created by another row, whatever the order of the rows.
    for row, team_name in unitless_team_rows:
        _resolve_team_by_name(row, team_name, snapshot, plan, error)

    _resolve_managers(plan, first_row_of_key, error)
    _find_cycles(plan, error)
    _diff(plan)
    errors.sort(key=_error_order)
    return plan


def _error_order(e: ImportRowError) -> tuple[int, int]:
    return (e.row or 0, COLUMNS.index(e.column) if e.column in COLUMNS else -1)


def _parse_date(number: int, value: str, error) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:  # spreadsheets like to save dates as midnight timestamps
        moment = dt.datetime.fromisoformat(value)
        if moment.time() == dt.time(0):
            return moment.date()
    except ValueError:
        pass
    error(number, "start date", f"“{value}” is not a date; write it as YYYY-MM-DD.")
    return None


def _resolve_role(number: int, name: str, snapshot: _Snapshot, error) -> int | None:
    if not name:
        return None
    role_id = snapshot.role_id_by_key.get(name.lower())
    if role_id is None:
        error(number, "role", f"Unknown role “{name}”; add it to the job ladder first.")
    return role_id


def _resolve_unit(number: int, name: str, snapshot: _Snapshot, plan: _Plan, error):
    unit_id = snapshot.unit_id_by_name.get(name.lower())
    if unit_id is not None:
        return unit_id
    slug = slugify(name)[: _max_length(BusinessUnit, "slug")]
    if not slug:
        error(number, "business unit", f"“{name}” has no letters or digits to name a unit by.")
        return None
    unit_id = snapshot.unit_id_by_slug.get(slug)
    if unit_id is not None:
        return unit_id
    return plan.new_units.setdefault(slug, _NewUnit(name=name, slug=slug))


def _resolve_team_in_unit(name: str, unit, snapshot: _Snapshot, plan: _Plan):
    if isinstance(unit, int):
        team_id = snapshot.team_id_by_unit_and_name.get((unit, name.lower()))
        if team_id is not None:
            return team_id
        unit_key: Any = unit
    else:
        unit_key = unit.slug
    return plan.new_teams.setdefault((unit_key, name.lower()), _NewTeam(name=name, unit=unit))


def _resolve_team_by_name(row: _Row, name: str, snapshot: _Snapshot, plan: _Plan, error) -> None:
    candidates: list[tuple[int | _NewTeam, int | _NewUnit]] = [
        (team_id, unit_id) for team_id, unit_id in snapshot.teams_by_name.get(name.lower(), [])
    ]
    candidates += [
        (team, team.unit) for (_, key), team in plan.new_teams.items() if key == name.lower()
    ]
    if not candidates:
        error(
            row.number,
            "team",
            f"There is no team “{name}”; give its business unit to create it.",
        )
    elif len(candidates) > 1:
        units = sorted(
            snapshot.unit_name_by_id.get(u, "?") if isinstance(u, int) else u.name
            for _, u in candidates
        )
        error(
            row.number,
            "team",
            f"There are teams “{name}” in several business units ({', '.join(units)}); "
            "give the business unit.",
        )
    else:
        row.team, row.unit = candidates[0]


def _resolve_managers(plan: _Plan, first_row_of_key: dict[str, int], error) -> None:
    snapshot = plan.snapshot
    for row in plan.rows:
        if row.manager_key is None or row.manager_key in first_row_of_key:
            continue
        matches = snapshot.people_by_key.get(row.manager_key, [])
        if not matches:
            error(
                row.number,
                "manager email",
                f"Nobody has the e-mail {row.manager_key}, in the file or in the organisation.",
            )
            row.manager_key = None
        elif len(matches) > 1:
            error(
                row.number,
                "manager email",
                f"Several people share the e-mail {row.manager_key} (ignoring case).",
            )
            row.manager_key = None


def _find_cycles(plan: _Plan, error) -> None:
    """Refuse reporting lines that loop, over existing lines and the file's together."""
    snapshot = plan.snapshot
    manager_of: dict[str, str | None] = {
        snapshot.email_key_by_id[p.pk]: snapshot.email_key_by_id.get(p.manager_id)
        for p in snapshot.people
    }
    row_of: dict[str, _Row] = {}
    for row in plan.rows:
        if row.key:
            manager_of[row.key] = row.manager_key
            row_of[row.key] = row
    done: set[str] = set()
    for start in manager_of:
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = manager_of.get(node)
        if node is not None and node in on_path:
            cycle = path[on_path[node] :]
            shown = cycle[:MAX_CYCLE_SHOWN] + (["…"] if len(cycle) > MAX_CYCLE_SHOWN else [])
            line = " → ".join([*shown, cycle[0]])
            for key in cycle:
                if key in row_of:
                    error(
                        row_of[key].number,
                        "manager email",
                        f"This reporting line would form a cycle: {line}.",
                    )
        done.update(path)


def _diff(plan: _Plan) -> None:
    """Mark which known people the file changes; unchanged ones are not written at all."""
    manager_key_of = plan.snapshot.email_key_by_id
    for row in plan.rows:
        person = row.existing
        if person is None:
            plan.created += 1
            continue
        row.changed = not (
            all(getattr(person, name) == value for name, value in row.values.items())
            and _same_ref(person.team_id, row.team)
            and _same_ref(person.business_unit_id, row.unit)
            and manager_key_of.get(person.manager_id) == row.manager_key
        )
        if row.changed:
            plan.updated += 1
        else:
            plan.unchanged += 1


def _same_ref(current_id: int | None, ref) -> bool:
    # A team or unit the import creates is never the one a person is in today.
    return not isinstance(ref, _NewTeam | _NewUnit) and current_id == ref


# --- writing ----------------------------------------------------------------------------


def _lock_tables() -> None:
    """Keep other writers out of the tables an import writes, until it commits.

    Readers go on. SQLite needs nothing: its IMMEDIATE transactions already hold the
    database's write lock.
    """
    if connection.vendor == "postgresql":
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (BusinessUnit, Team, Person)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def _write(plan: _Plan, *, acting_user) -> tuple[int, int]:
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    history = {"default_user": user, "default_change_reason": HISTORY_REASON}

    units = {}
    if plan.new_units:
        created = bulk_create_with_history(
            [BusinessUnit(name=u.name, slug=u.slug) for u in plan.new_units.values()],
            BusinessUnit,
            batch_size=BATCH_SIZE,
            **history,
        )
        units = {unit.slug: unit.pk for unit in created}

    def unit_id(ref) -> int | None:
        return units[ref.slug] if isinstance(ref, _NewUnit) else ref

    teams = {}
    if plan.new_teams:
        new_teams = list(plan.new_teams.values())
        created = bulk_create_with_history(
            [Team(name=t.name, business_unit_id=unit_id(t.unit)) for t in new_teams],
            Team,
            batch_size=BATCH_SIZE,
            **history,
        )
        teams = {team_ref: team.pk for team_ref, team in zip(new_teams, created, strict=True)}

    def team_id(ref) -> int | None:
        return teams[ref] if isinstance(ref, _NewTeam) else ref

    person_id: dict[str, int] = {
        key: people[0].pk for key, people in plan.snapshot.people_by_key.items()
    }

    def apply(person: Person, row: _Row) -> None:
        for name, value in row.values.items():
            setattr(person, name, value)
        person.team_id = team_id(row.team)
        person.business_unit_id = unit_id(row.unit)
        person.manager_id = person_id[row.manager_key] if row.manager_key else None

    # New people are created level by level, managers first, so that every history row
    # carries the person's real manager (one INSERT per level of the new subtrees).
    new_rows = {row.key: row for row in plan.rows if row.existing is None}
    level: dict[str, int] = {}
    for key in new_rows:
        chain: list[str] = []
        up: str | None = key
        while up in new_rows and up not in level:  # validation ruled out cycles
            chain.append(up)
            up = new_rows[up].manager_key
        depth = level[up] + 1 if up in level else 0
        for k in reversed(chain):
            level[k] = depth
            depth += 1
    by_level: dict[int, list[_Row]] = defaultdict(list)
    for key, row in new_rows.items():
        by_level[level[key]].append(row)
    for depth in sorted(by_level):
        rows = by_level[depth]
        batch = []
        for row in rows:
            person = Person(email=row.email)
            apply(person, row)
            batch.append(person)
        created = bulk_create_with_history(batch, Person, batch_size=BATCH_SIZE, **history)
        for row, person in zip(rows, created, strict=True):
            person_id[row.key] = person.pk

    now = timezone.now()
    changed = []
    for row in plan.rows:
        if row.existing is not None and row.changed:
            apply(row.existing, row)
            row.existing.updated_at = now
            changed.append(row.existing)
    if changed:
        bulk_update_with_history(
            changed,
            Person,
            [*IMPORTED_FIELDS, "updated_at"],
            batch_size=BATCH_SIZE,
            **history,
        )
    return len(plan.new_teams), len(plan.new_units)


# --- the service ------------------------------------------------------------------------


def people_import(
    *,
    rows: Iterable[Mapping[str, object]] | None = None,
    file: IO | bytes | str | None = None,
    acting_user=None,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Upsert people (and their teams and units) from an HR export, all or nothing.

    Give either ``file`` (CSV: text, bytes or a file object) or ``rows`` (mappings from
    column name to value). Returns the counts, or every error with nothing written.
    ``dry_run`` validates and counts without writing. Must not run inside a transaction
    when ``progress`` reports to another reader (its updates would not be seen).
    """
    if (rows is None) == (file is None):
        raise TypeError("people_import needs exactly one of rows= or file=")
    if file is not None:
        try:
            parsed, errors = _rows_from_text(_read_text(file))
        except UnicodeDecodeError:
            parsed, errors = [], [ImportRowError(None, "", "The file is not UTF-8 text.")]
    else:
        parsed, errors = _rows_from_mappings(rows)
    if not parsed and not errors:
        errors = [ImportRowError(None, "", "The file has a header but no people under it.")]
    result = ImportResult(total_rows=len(parsed))
    if any(e.row in (None, 1) for e in errors):
        # Without a usable header the cells mean nothing; reading on would only add noise.
        result.errors = errors
        return result

    plan = _validate(parsed, _load_snapshot(), progress=progress)
    if errors or plan.errors:
        result.errors = sorted(errors + plan.errors, key=_error_order)
        return result
    if dry_run:
        _fill_counts(result, plan)
        return result

    if progress:
        progress(ImportJob.Status.WRITING, len(parsed), len(parsed))
    try:
        with transaction.atomic():
            _lock_tables()
            plan = _validate(parsed, _load_snapshot())
            if plan.errors:
                result.errors = plan.errors
                return result
            result.teams_created, result.units_created = _write(plan, acting_user=acting_user)
    except IntegrityError:
        logger.exception("people import hit a conflicting concurrent change")
        result.errors = [
            ImportRowError(
                None,
                "",
                "The organisation changed while the file was being imported; nothing was "
                "written. Run the import again.",
            )
        ]
        return result
    _fill_counts(result, plan)
    result.written = True
    return result


def _fill_counts(result: ImportResult, plan: _Plan) -> None:
    result.created, result.updated, result.unchanged = plan.created, plan.updated, plan.unchanged
    result.teams_created, result.units_created = len(plan.new_teams), len(plan.new_units)


# --- background jobs --------------------------------------------------------------------


def import_job_create(*, file_name: str, content: str, acting_user) -> ImportJob:
    """Store an uploaded export and have a worker import it once this transaction commits."""
    from .tasks import people_import_job_run  # the task module imports this one

    job = ImportJob(
        file_name=file_name[: _max_length(ImportJob, "file_name")],
        content=content,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    people_import_job_run.delay_on_commit(job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job; None when the job is gone or already finished.

    A job left half-way by a crashed worker is simply run again when its message is
    redelivered: the write is one transaction, so nothing of the first attempt remains,
    and the import is idempotent anyway.
    """
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .exclude(status__in=ImportJob.FINISHED)
        .update(
            status=ImportJob.Status.VALIDATING, started_at=now, processed_rows=0, updated_at=now
        )
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(phase: str, processed: int, total: int) -> None:
        # Each update commits on its own (no transaction is open here), so the job page
        # sees it while the import goes on.
        ImportJob.objects.filter(pk=job_id).update(
            status=phase, processed_rows=processed, total_rows=total, updated_at=timezone.now()
        )

    result = people_import(file=job.content, acting_user=job.created_by, progress=progress)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED,
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
        errors=[e.as_dict() for e in result.errors],
        created_count=result.created,
        updated_count=result.updated,
        unchanged_count=result.unchanged,
        teams_created_count=result.teams_created,
        units_created_count=result.units_created,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark an unfinished job failed (the worker gave up on it), so its page stops waiting."""
    ImportJob.objects.filter(pk=job_id).exclude(status__in=ImportJob.FINISHED).update(
        status=ImportJob.Status.FAILED,
        errors=[ImportRowError(None, "", message).as_dict()],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
