"""Writes to the organisation. Every change to people and units passes through here.

Services are keyword-only, run in a transaction, validate with ``full_clean`` and raise
:class:`~productorg.errors.ApplicationError` for broken rules. History rows (who, when,
before and after) are written by django-simple-history on each save; ``acting_user``
is recorded on them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from productorg.errors import ApplicationError

from .models import BusinessUnit, Person
from .selectors import business_unit_subtree, person_subtree


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
    if person.pk is not None and person_subtree(root=person).filter(pk=manager.pk).exists():
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
