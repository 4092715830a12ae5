"""Validating an HR export against the organisation as it is, into a plan of writes.

Everything here reads; nothing writes. The organisation is loaded in four queries
(:func:`load_snapshot`) and every check runs in memory, so the cost of validation does
not depend on the number of rows beyond the Python work itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from ..models import BusinessUnit, ImportJob, Person, Role, Team
from .rows import ImportRowError, error_order

MAX_CYCLE_SHOWN = 8

ProgressCallback = Callable[[str, int, int], None]
"""``progress(phase, processed_rows, total_rows)``; phase is ``validating`` or ``writing``."""


@dataclass
class Snapshot:
    people: list[Person]
    people_by_key: dict[str, list[Person]]
    email_key_by_id: dict[int, str]
    role_id_by_key: dict[str, int]
    unit_id_by_name: dict[str, int]
    unit_id_by_slug: dict[str, int]
    unit_name_by_id: dict[int, str]
    team_id_by_unit_and_name: dict[tuple[int, str], int]
    teams_by_name: dict[str, list[tuple[int, int]]]  # name key -> [(team id, unit id)]


def load_snapshot() -> Snapshot:
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
    return Snapshot(
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


@dataclass(frozen=True)
class NewUnit:
    name: str
    slug: str


@dataclass(frozen=True)
class NewTeam:
    name: str
    unit: int | NewUnit


@dataclass
class PlanRow:
    number: int
    email: str
    key: str
    values: dict[str, Any]  # full_name, title, location, start_date, role_id
    manager_key: str | None = None
    unit: int | NewUnit | None = None
    team: int | NewTeam | None = None
    existing: Person | None = None
    changed: bool = True


@dataclass
class Plan:
    rows: list[PlanRow]
    new_units: dict[str, NewUnit]
    new_teams: dict[tuple[Any, str], NewTeam]
    errors: list[ImportRowError]
    snapshot: Snapshot
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def validate(
    parsed: list[tuple[int, dict[str, str]]],
    snapshot: Snapshot,
    *,
    progress: ProgressCallback | None = None,
) -> Plan:
    """Check every row against the snapshot and work out what to write; writes nothing."""
    total = len(parsed)
    errors: list[ImportRowError] = []
    plan = Plan(rows=[], new_units={}, new_teams={}, errors=errors, snapshot=snapshot)
    first_row_of_key: dict[str, int] = {}
    unitless_team_rows: list[tuple[PlanRow, str]] = []
    step = max(100, total // 50)

    def error(number: int, column: str, message: str) -> None:
        errors.append(ImportRowError(number, column, message))

    def text(number: int, cells: dict[str, str], column: str, model, field_name: str) -> str:
        value = cells.get(column, "")
        limit = max_length(model, field_name)
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
        row = PlanRow(
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
    errors.sort(key=error_order)
    return plan


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


def _resolve_role(number: int, name: str, snapshot: Snapshot, error) -> int | None:
    if not name:
        return None
    role_id = snapshot.role_id_by_key.get(name.lower())
    if role_id is None:
        error(number, "role", f"Unknown role “{name}”; add it to the job ladder first.")
    return role_id


def _resolve_unit(number: int, name: str, snapshot: Snapshot, plan: Plan, error):
    unit_id = snapshot.unit_id_by_name.get(name.lower())
    if unit_id is not None:
        return unit_id
    slug = slugify(name)[: max_length(BusinessUnit, "slug")]
    if not slug:
        error(number, "business unit", f"“{name}” has no letters or digits to name a unit by.")
        return None
    unit_id = snapshot.unit_id_by_slug.get(slug)
    if unit_id is not None:
        return unit_id
    return plan.new_units.setdefault(slug, NewUnit(name=name, slug=slug))


def _resolve_team_in_unit(name: str, unit, snapshot: Snapshot, plan: Plan):
    if isinstance(unit, int):
        team_id = snapshot.team_id_by_unit_and_name.get((unit, name.lower()))
        if team_id is not None:
            return team_id
        unit_key: Any = unit
    else:
        unit_key = unit.slug
    return plan.new_teams.setdefault((unit_key, name.lower()), NewTeam(name=name, unit=unit))


def _resolve_team_by_name(row: PlanRow, name: str, snapshot: Snapshot, plan: Plan, error) -> None:
    candidates: list[tuple[int | NewTeam, int | NewUnit]] = [
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


def _resolve_managers(plan: Plan, first_row_of_key: dict[str, int], error) -> None:
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


def _find_cycles(plan: Plan, error) -> None:
    """Refuse reporting lines that loop, over existing lines and the file's together."""
    snapshot = plan.snapshot
    manager_of: dict[str, str | None] = {
        snapshot.email_key_by_id[p.pk]: snapshot.email_key_by_id.get(p.manager_id)
        for p in snapshot.people
    }
    row_of: dict[str, PlanRow] = {}
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


def _diff(plan: Plan) -> None:
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
    return not isinstance(ref, NewTeam | NewUnit) and current_id == ref
