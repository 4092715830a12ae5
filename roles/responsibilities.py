"""Writes to the responsibility areas and the ladder's RACI (role × area → letter).

Like ``roles.services``: keyword-only, in a transaction, ``full_clean`` before saving,
:class:`~productorg.errors.ApplicationError` for a broken rule; the RACI keeps history
(who, when, before and after) with ``acting_user`` recorded.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import ResponsibilityArea, Role, RoleResponsibility
from .services import _delete, validate_and_save


@transaction.atomic
def responsibility_area_create(*, acting_user=None, **fields: Any) -> ResponsibilityArea:
    """Add something the product organisation must own (e.g. "Pricing")."""
    area = ResponsibilityArea(**fields)
    validate_and_save(area, acting_user=acting_user)
    return area


@transaction.atomic
def responsibility_area_update(
    *, area: ResponsibilityArea, acting_user=None, **fields: Any
) -> ResponsibilityArea:
    """Rename, re-describe or reorder an area."""
    for name, value in fields.items():
        setattr(area, name, value)
    validate_and_save(area, acting_user=acting_user)
    return area


@transaction.atomic
def responsibility_area_delete(*, area: ResponsibilityArea, acting_user=None) -> None:
    """Remove an area together with the RACI letters the ladder gave it."""
    for responsibility in RoleResponsibility.objects.filter(area=area).select_related("role"):
        role_responsibility_delete(responsibility=responsibility, acting_user=acting_user)
    _delete(area, acting_user=acting_user)


@transaction.atomic
def role_responsibility_create(
    *, role: Role, area: ResponsibilityArea, raci: str, acting_user=None
) -> RoleResponsibility:
    """Give a rung of the ladder a RACI letter for an area (one letter per role and area)."""
    responsibility = RoleResponsibility(role=role, area=area, raci=raci)
    validate_and_save(responsibility, acting_user=acting_user)
    return responsibility


@transaction.atomic
def role_responsibility_update(
    *, responsibility: RoleResponsibility, acting_user=None, **fields: Any
) -> RoleResponsibility:
    """Change the letter (or the role or area) of a RACI entry."""
    for name, value in fields.items():
        setattr(responsibility, name, value)
    validate_and_save(responsibility, acting_user=acting_user)
    return responsibility


@transaction.atomic
def role_responsibility_delete(*, responsibility: RoleResponsibility, acting_user=None) -> None:
    """The role no longer does anything for the area."""
    _delete(responsibility, acting_user=acting_user)
