"""Reads of the organisation: the org tree, chains, spans of control, visibility.

Trees are walked with one recursive CTE each (django-cte), so the number of queries
never depends on the depth or size of the organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.lookups import LessThan
from django_cte import CTE, with_cte

from .models import BusinessUnit, Person

# Recursion stops here even if bad data ever formed a loop; real orgs are far shallower.
MAX_TREE_DEPTH = 100


def user_is_hr_admin(*, user) -> bool:
    """HR admins set the organisation up and see everything."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_hr_admin", None)
    if cached is None:
        cached = user.groups.filter(name=settings.HR_ADMIN_GROUP).exists()
        user._is_hr_admin = cached
    return cached


def person_for_user(*, user) -> Person | None:
    """The Person a login maps to, or None."""
    if not user or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def _subtree_cte(*, root_ids) -> CTE:
    def make(cte):
        return (
            Person.objects.filter(pk__in=root_ids)
            .order_by()
            .values("id", depth=Value(0, output_field=IntegerField()))
            .union(
                cte.join(Person, manager_id=cte.col.id)
                .order_by()
                .filter(LessThan(cte.col.depth, MAX_TREE_DEPTH))
                .values("id", depth=cte.col.depth + Value(1, output_field=IntegerField())),
                all=True,
            )
        )

    return CTE.recursive(make, name="org_subtree")


def person_subtree(*, root: Person, include_root: bool = True) -> QuerySet[Person]:
    """Everyone who reports to ``root`` directly or indirectly (one query).

    Each person carries ``depth`` (0 for the root). Active and inactive people both
    appear; callers filter on ``is_active`` as they need.
    """
    cte = _subtree_cte(root_ids=[root.pk])
    qs = with_cte(cte, select=cte.join(Person, id=cte.col.id).annotate(depth=cte.col.depth))
    if not include_root:
        qs = qs.exclude(pk=root.pk)
    return qs


def person_subtree_ids(*, root: Person) -> QuerySet:
    """The ids of ``root`` and everyone under them, as a subquery-ready queryset."""
    return person_subtree(root=root).values("id")


def person_management_chain(*, person: Person) -> list[Person]:
    """The people above ``person``: direct manager first, the top of the org last (one query)."""
    if person.manager_id is None:
        return []

    def make(cte):
        return (
            Person.objects.filter(pk=person.manager_id)
            .order_by()
            .values("id", "manager_id", distance=Value(1, output_field=IntegerField()))
            .union(
                cte.join(Person, id=cte.col.manager_id)
                .order_by()
                .filter(LessThan(cte.col.distance, MAX_TREE_DEPTH))
                .values(
                    "id",
                    "manager_id",
                    distance=cte.col.distance + Value(1, output_field=IntegerField()),
                ),
                all=True,
            )
        )

    cte = CTE.recursive(make, name="org_chain")
    qs = with_cte(
        cte,
        select=cte.join(Person, id=cte.col.id)
        .annotate(distance=cte.col.distance)
        .select_related("role", "team")
        .order_by("distance"),
    )
    return list(qs)


def person_is_in_subtree(*, person: Person, root: Person) -> bool:
    """Whether ``person`` is ``root`` or reports to them, directly or not (one query)."""
    if person.pk == root.pk:
        return True
    return person_subtree(root=root).filter(pk=person.pk).exists()


def person_can_see_private(*, user, subject: Person) -> bool:
    """Private data about ``subject`` (assessments, private goals, seat costs…).

    Visible to the subject, their management chain, and HR admins; nobody else.
    """
    if user_is_hr_admin(user=user):
        return True
    viewer = person_for_user(user=user)
    if viewer is None:
        return False
    return person_is_in_subtree(person=subject, root=viewer)


def span_of_control(*, root: Person) -> QuerySet[Person]:
    """Every manager in ``root``'s subtree with their active direct reports (one query).

    Each person carries ``depth`` and ``direct_reports``; people with no reports are
    left out.
    """
    return (
        person_subtree(root=root)
        .annotate(direct_reports=Count("reports", filter=Q(reports__is_active=True)))
        .filter(direct_reports__gt=0)
        .select_related("role")
        .order_by("depth", "full_name")
    )


def business_unit_subtree(*, root: BusinessUnit) -> QuerySet[BusinessUnit]:
    """``root`` and every unit nested under it, each with ``depth`` (one query)."""

    def make(cte):
        return (
            BusinessUnit.objects.filter(pk=root.pk)
            .order_by()
            .values("id", depth=Value(0, output_field=IntegerField()))
            .union(
                cte.join(BusinessUnit, parent_id=cte.col.id)
                .order_by()
                .filter(LessThan(cte.col.depth, MAX_TREE_DEPTH))
                .values("id", depth=cte.col.depth + Value(1, output_field=IntegerField())),
                all=True,
            )
        )

    cte = CTE.recursive(make, name="unit_subtree")
    return with_cte(cte, select=cte.join(BusinessUnit, id=cte.col.id).annotate(depth=cte.col.depth))


def business_unit_ancestor_ids(*, unit: BusinessUnit) -> list[int]:
    """Ids of the units above ``unit``, nearest first (one query)."""
    if unit.parent_id is None:
        return []

    def make(cte):
        return (
            BusinessUnit.objects.filter(pk=unit.parent_id)
            .order_by()
            .values("id", "parent_id", distance=Value(1, output_field=IntegerField()))
            .union(
                cte.join(BusinessUnit, id=cte.col.parent_id)
                .order_by()
                .filter(LessThan(cte.col.distance, MAX_TREE_DEPTH))
                .values(
                    "id",
                    "parent_id",
                    distance=cte.col.distance + Value(1, output_field=IntegerField()),
                ),
                all=True,
            )
        )

    cte = CTE.recursive(make, name="unit_chain")
    return list(
        with_cte(
            cte, select=cte.join(BusinessUnit, id=cte.col.id).annotate(distance=cte.col.distance)
        )
        .order_by("distance")
        .values_list("id", flat=True)
    )
