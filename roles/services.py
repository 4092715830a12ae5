"""Writes to the organisation. Every change to people and units passes through here.

Services are keyword-only, run in a transaction, validate with ``full_clean`` and raise
:class:`~productorg.errors.ApplicationError` for broken rules. History rows (who, when,
before and after) are written by django-simple-history on each save; ``acting_user``
is recorded on them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from productorg.errors import ApplicationError

from .models import BusinessUnit, Person, Position, Role, Team
from .selectors import business_unit_subtree, person_is_in_subtree, position_subtree_ids


def _raise_validation(exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        field_errors = {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
        field_errors = {
            ("non_field_errors" if k == "__all__" else k): v for k, v in field_errors.items()
        }
    else:
        field_errors = {"non_field_errors": list(exc.messages)}
    first = next(iter(field_errors.values()))[0]
    raise ApplicationError(first, field_errors=field_errors) from exc


def validate_and_save(instance, *, acting_user=None, exclude: list[str] | None = None) -> None:
    """``full_clean`` then save, turning validation errors into an ApplicationError.

    ``exclude`` skips fields the caller has already checked (e.g. a foreign key to a
    row it has just locked), sparing their existence queries.
    """
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        _raise_validation(exc)
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        instance._history_user = acting_user
    instance.save()


def check_manager_allowed(*, person: Person, manager: Person | None) -> None:
    """Refuse a reporting line that would make ``person`` manage themself or form a cycle."""
    if manager is None:
        return
    if person.pk is not None and manager.pk == person.pk:
        raise ApplicationError.for_field("manager", f"{person.full_name} cannot manage themself.")
    if person.pk is not None and person_is_in_subtree(person=manager, root=person):
        raise ApplicationError.for_field(
            "manager",
            f"{manager.full_name} reports to {person.full_name}; "
            f"making them {person.full_name}'s manager would form a cycle.",
        )


@transaction.atomic
def person_set_manager(*, person: Person, manager: Person | None, acting_user=None) -> Person:
    """Move ``person`` under ``manager`` (or to the top when None).

    Both rows are locked first so that two concurrent moves cannot together form a
    cycle that neither would form alone.
    """
    ids = [person.pk] + ([manager.pk] if manager else [])
    list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    person.refresh_from_db(fields=["manager"])
    check_manager_allowed(person=person, manager=manager)
    person.manager = manager
    validate_and_save(person, acting_user=acting_user)
    return person


@transaction.atomic
def person_create(*, acting_user=None, manager: Person | None = None, **fields: Any) -> Person:
    """Create a person; ``fields`` are model fields other than ``manager``."""
    person = Person(manager=manager, **fields)
    validate_and_save(person, acting_user=acting_user)
    return person


@transaction.atomic
def person_update(*, person: Person, acting_user=None, **fields: Any) -> Person:
    """Change a person's fields; a change of manager goes through the cycle check."""
    manager_given = "manager" in fields
    manager = fields.pop("manager", None)
    for name, value in fields.items():
        setattr(person, name, value)
    if manager_given and manager != person.manager:
        person_set_manager(person=person, manager=manager, acting_user=acting_user)
        return person
    validate_and_save(person, acting_user=acting_user)
    return person


@transaction.atomic
def business_unit_set_parent(
    *, unit: BusinessUnit, parent: BusinessUnit | None, acting_user=None
) -> BusinessUnit:
    """Nest ``unit`` under ``parent``, refusing a parent inside the unit's own subtree."""
    ids = [unit.pk] + ([parent.pk] if parent else [])
    list(
        BusinessUnit.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk")
    )
    if parent is not None and unit.pk is not None:
        if parent.pk == unit.pk:
            raise ApplicationError.for_field("parent", f"{unit.name} cannot contain itself.")
        if business_unit_subtree(root=unit).filter(pk=parent.pk).exists():
            raise ApplicationError.for_field(
                "parent", f"{parent.name} is inside {unit.name}; nesting would form a cycle."
            )
    unit.parent = parent
    validate_and_save(unit, acting_user=acting_user)
    return unit


def _delete(instance, *, acting_user=None) -> None:
    """Delete ``instance``; a row other rows still point at is refused, never half-deleted."""
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        instance._history_user = acting_user
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ApplicationError(protected_delete_message(instance, exc)) from exc


def protected_delete_message(instance, exc: ProtectedError | RestrictedError) -> str:
    """``"Payments cannot be deleted while other records refer to it: 2 teams and 1 …"``"""
    objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
    counts = Counter(type(obj) for obj in objects)
    parts = [
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
        for model, n in sorted(counts.items(), key=lambda item: item[0]._meta.label)
    ]
    listed = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    return (
        f"{instance} cannot be deleted while other records refer to it"
        f"{': ' + listed if listed else ''}. Move or delete those first."
    )


@transaction.atomic
def person_delete(*, person: Person, acting_user=None) -> None:
    """Delete a person who manages nobody and holds no seat.

    A seat must be vacated on purpose (its status changes), not by a side effect of a
    deletion; people who leave are usually marked inactive instead.
    """
    seat = Position.objects.filter(holder=person).select_related("role").first()
    if seat is not None:
        raise ApplicationError(
            f"{person.full_name} cannot be deleted: they hold the seat "
            f"“{seat.display_title}” (#{seat.pk}). Vacate the seat first."
        ) from ProtectedError("holds a seat", {seat})
    _delete(person, acting_user=acting_user)


@transaction.atomic
def business_unit_create(
    *, acting_user=None, parent: BusinessUnit | None = None, **fields: Any
) -> BusinessUnit:
    """Create a business unit (a new unit has no subtree, so any parent is allowed)."""
    unit = BusinessUnit(parent=parent, **fields)
    validate_and_save(unit, acting_user=acting_user)
    return unit


@transaction.atomic
def business_unit_update(*, unit: BusinessUnit, acting_user=None, **fields: Any) -> BusinessUnit:
    """Change a unit's fields; a change of parent goes through the cycle check."""
    parent_given = "parent" in fields
    parent = fields.pop("parent", None)
    for name, value in fields.items():
        setattr(unit, name, value)
    if parent_given and parent != unit.parent:
        return business_unit_set_parent(unit=unit, parent=parent, acting_user=acting_user)
    validate_and_save(unit, acting_user=acting_user)
    return unit


@transaction.atomic
def business_unit_delete(*, unit: BusinessUnit, acting_user=None) -> None:
    """Delete a unit that no unit is nested in and no team belongs to."""
    _delete(unit, acting_user=acting_user)


@transaction.atomic
def team_create(*, acting_user=None, **fields: Any) -> Team:
    """Create a team inside a business unit."""
    team = Team(**fields)
    validate_and_save(team, acting_user=acting_user)
    return team


@transaction.atomic
def team_update(*, team: Team, acting_user=None, **fields: Any) -> Team:
    """Change a team's fields."""
    for name, value in fields.items():
        setattr(team, name, value)
    validate_and_save(team, acting_user=acting_user)
    return team


@transaction.atomic
def team_delete(*, team: Team, acting_user=None) -> None:
    """Delete a team; its members and seats stay, without a team."""
    _delete(team, acting_user=acting_user)


@transaction.atomic
def role_create(*, acting_user=None, **fields: Any) -> Role:
    """Add a rung to the job ladder."""
    role = Role(**fields)
    validate_and_save(role, acting_user=acting_user)
    return role


@transaction.atomic
def role_update(*, role: Role, acting_user=None, **fields: Any) -> Role:
    """Rename, re-level or re-describe a rung of the ladder."""
    for name, value in fields.items():
        setattr(role, name, value)
    validate_and_save(role, acting_user=acting_user)
    return role


@transaction.atomic
def role_delete(*, role: Role, acting_user=None) -> None:
    """Remove a rung that no person and no seat is on."""
    _delete(role, acting_user=acting_user)


def _check_position(position: Position) -> None:
    """Field-level errors for the seat rules the database also enforces."""
    filled = position.status == Position.Status.FILLED
    if filled and position.holder_id is None:
        raise ApplicationError.for_field("holder", "A filled seat needs a holder.")
    if not filled and position.holder_id is not None:
        raise ApplicationError.for_field(
            "holder", "Only a filled seat has a holder: set the status to filled or clear it."
        )
    if (
        position.holder_id is not None
        and Position.objects.filter(holder_id=position.holder_id).exclude(pk=position.pk).exists()
    ):
        raise ApplicationError.for_field("holder", f"{position.holder} already holds a seat.")
    parent_id = position.reports_to_position_id
    if parent_id is not None and position.pk is not None:
        if parent_id == position.pk:
            raise ApplicationError.for_field(
                "reports_to_position", "A seat cannot report to itself."
            )
        if position_subtree_ids(root=position).filter(id=parent_id).exists():
            raise ApplicationError.for_field(
                "reports_to_position",
                "That seat reports to this one; reporting to it would form a cycle.",
            )


@transaction.atomic
def position_create(*, acting_user=None, **fields: Any) -> Position:
    """Add a seat to the organisation plan."""
    position = Position(**fields)
    _check_position(position)
    validate_and_save(position, acting_user=acting_user)
    return position


@transaction.atomic
def position_update(*, position: Position, acting_user=None, **fields: Any) -> Position:
    """Change a seat: its holder and status together, its place, its budget.

    The seat is locked first so that two concurrent changes cannot seat two holders or
    form a reporting cycle that neither would form alone.
    """
    list(Position.objects.select_for_update().filter(pk=position.pk).values_list("pk"))
    for name, value in fields.items():
        setattr(position, name, value)
    _check_position(position)
    validate_and_save(position, acting_user=acting_user)
    return position


@transaction.atomic
def position_delete(*, position: Position, acting_user=None) -> None:
    """Remove a seat from the plan; seats that reported to it report to nobody."""
    _delete(position, acting_user=acting_user)
