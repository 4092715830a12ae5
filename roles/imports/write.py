"""Writing a validated plan: bulk inserts and updates, with their history rows."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import BusinessUnit, Person, Team
from .plan import NewTeam, NewUnit, Plan, PlanRow

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
UPDATE_BATCH_SIZE = 500
HISTORY_REASON = "HR import"


def lock_tables() -> None:
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


def write_plan(plan: Plan, *, acting_user) -> None:
    """Create the plan's units, teams and people and update the changed people.

    Call inside the transaction that validated ``plan``. Every row written gets its
    history row, by ``acting_user``, with the reason "HR import".
    """
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
        return units[ref.slug] if isinstance(ref, NewUnit) else ref

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
        return teams[ref] if isinstance(ref, NewTeam) else ref

    person_id: dict[str, int] = {
        key: people[0].pk for key, people in plan.snapshot.people_by_key.items()
    }

    def apply(person: Person, row: PlanRow) -> None:
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
    by_level: dict[int, list[PlanRow]] = defaultdict(list)
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

    # Updates are grouped by the fields they change: an UPDATE of many rows sets each
    # field with a CASE over the batch's ids, so setting only the changed fields (often
    # just a title or a manager) is several times faster than setting all of them.
    now = timezone.now()
    changed: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for row in plan.rows:
        if row.existing is None or not row.changed:
            continue
        person = row.existing
        before = [getattr(person, name) for name in IMPORTED_FIELDS]
        apply(person, row)
        fields = tuple(
            name
            for name, old in zip(IMPORTED_FIELDS, before, strict=True)
            if getattr(person, name) != old
        )
        person.updated_at = now
        changed[fields].append(person)
    # The reporting-line closure is kept row by row, and a moved person's new manager
    # may still sit under them until a later row of the same UPDATE moves it (a swap):
    # detach every mover first, so each attachment below meets an acyclic tree.
    movers = [p.pk for fields, people in changed.items() if "manager_id" in fields for p in people]
    if movers:
        Person.objects.filter(pk__in=movers).update(manager=None)
    for fields, people in changed.items():
        bulk_update_with_history(
            people,
            Person,
            [*fields, "updated_at"],
            batch_size=UPDATE_BATCH_SIZE,
            **history,
        )
