"""Reads of the organisation: the org tree, chains, spans of control, visibility.

Reporting lines are read from their closure table (:class:`~roles.models.ReportingLine`,
kept by database triggers): everyone under a person is one index range. Unit and seat
trees are walked with one recursive CTE each (django-cte). Either way the number of
queries never depends on the depth or size of the organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.shortcuts import get_object_or_404
from django_cte import CTE, with_cte

from .models import BusinessUnit, Person, Position, ReportingLine, Role, Team

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


def person_subtree(*, root: Person, include_root: bool = True) -> QuerySet[Person]:
    """Everyone who reports to ``root`` directly or indirectly (one query).

    Active and inactive people both appear; callers filter on ``is_active`` as they
    need. The closure's ids are a plain subquery (``id IN (SELECT person_id …)``): the
    cheapest form to build, which matters when the team is small.
    """
    sql = f"SELECT person_id FROM {ReportingLine._meta.db_table} WHERE ancestor_id = %s"
    if not include_root:
        sql += " AND depth > 0"
    return Person.objects.filter(pk__in=RawSQL(sql, [root.pk]))


def person_subtree_ids(*, root: Person) -> QuerySet:
    """The ids of ``root`` and everyone under them (``person_id``), as a subquery.

    Read from the closure table's ``(ancestor, person)`` key alone, without joining
    people, for ``…__in=person_subtree_ids(root=…)``.
    """
    return ReportingLine.objects.filter(ancestor=root.pk).values("person_id")


def person_subtree_id_list(*, root: Person) -> list[int]:
    """The ids of ``root`` and everyone under them, as a list (one query).

    For visibility decided in Python (a viewer's subtree, held for the request): the
    closure's key read with one fixed statement, skipping the ORM's query building,
    which costs more than the index scan itself for a small team.
    """
    table = ReportingLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT person_id FROM {table} WHERE ancestor_id = %s", [root.pk])
        return [person_id for (person_id,) in cursor.fetchall()]


def person_management_chain(*, person: Person) -> list[Person]:
    """The people above ``person``: direct manager first, the top of the org last (one query)."""
    if person.manager_id is None:
        return []
    return list(
        Person.objects.filter(lines_down__person=person.pk, lines_down__depth__gt=0)
        .annotate(distance=F("lines_down__depth"))
        .select_related("role", "team")
        .order_by("distance")
    )


def person_is_in_subtree(*, person: Person, root: Person) -> bool:
    """Whether ``person`` is ``root`` or reports to them, directly or not (one query)."""
    if person.pk == root.pk:
        return True
    return ReportingLine.objects.filter(ancestor=root.pk, person=person.pk).exists()


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

    Each person carries ``depth`` (0 for ``root``) and ``direct_reports``; people with
    no reports are left out.
    """
    return (
        Person.objects.filter(lines_up__ancestor=root.pk)
        .annotate(
            depth=F("lines_up__depth"),
            direct_reports=Count("reports", filter=Q(reports__is_active=True)),
        )
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


# --- Pages: org chart, person page, people directory --------------------------------
# Organisation structure is visible to every signed-in member (DESIGN.md); seat costs are
# private, so the seat reads below never even load ``budgeted_annual_cost``.

OPEN_SEAT_STATUSES = (Position.Status.OPEN, Position.Status.PLANNED)


def person_get_for_page(*, user, person_id: int) -> Person:
    """An active person any member may look at; people who left only for HR admins.

    Anything else answers 404, so a page never reveals that a hidden person exists.
    """
    qs = Person.objects.select_related("role", "team", "business_unit", "manager")
    if not user_is_hr_admin(user=user):
        qs = qs.filter(is_active=True)
    return get_object_or_404(qs, pk=person_id)


def person_direct_reports(*, manager: Person) -> QuerySet[Person]:
    """``manager``'s active direct reports, most senior first (one query).

    Each carries ``direct_reports`` (their span of control) and ``open_seats`` (open or
    planned seats reporting to them), both counted by the database.
    """
    open_seats = (
        Position.objects.filter(reports_to=OuterRef("pk"), status__in=OPEN_SEAT_STATUSES)
        .order_by()
        .values("reports_to")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Person.objects.filter(manager=manager, is_active=True)
        .select_related("role", "team")
        .annotate(
            direct_reports=Count("reports", filter=Q(reports__is_active=True)),
            open_seats=Coalesce(Subquery(open_seats, output_field=IntegerField()), 0),
        )
        .order_by(F("role__level").desc(nulls_last=True), "full_name")
    )


def person_branch_sizes(*, manager: Person) -> dict[int, int]:
    """For each active direct report of ``manager``: the active people in their branch,
    themself included (one recursive query, grouped by branch)."""

    def make(cte):
        return (
            Person.objects.filter(manager=manager, is_active=True)
            .order_by()
            .values("id", branch_id=F("id"), depth=Value(0, output_field=IntegerField()))
            .union(
                cte.join(Person, manager_id=cte.col.id)
                .filter(LessThan(cte.col.depth, MAX_TREE_DEPTH), is_active=True)
                .order_by()
                .values(
                    "id",
                    branch_id=cte.col.branch_id,
                    depth=cte.col.depth + Value(1, output_field=IntegerField()),
                ),
                all=True,
            )
        )

    cte = CTE.recursive(make, name="org_branches")
    rows = with_cte(
        cte,
        select=cte.queryset().order_by().values("branch_id").annotate(size=Count("id")),
    )
    return {row["branch_id"]: row["size"] for row in rows}


def position_open_seats_reporting_to(*, manager: Person) -> QuerySet[Position]:
    """Open and planned seats that report to ``manager`` (one query, cost not loaded)."""
    return (
        Position.objects.filter(reports_to=manager, status__in=OPEN_SEAT_STATUSES)
        .select_related("role", "team")
        .defer("budgeted_annual_cost", "currency")
        .order_by("-role__level", "id")
    )


def position_open_seat_count_in_org(*, root: Person) -> int:
    """Open and planned seats anywhere in ``root``'s organisation (one query)."""
    return Position.objects.filter(
        status__in=OPEN_SEAT_STATUSES, reports_to__in=person_subtree_ids(root=root)
    ).count()


def person_org_tops() -> QuerySet[Person]:
    """The people at the top of the organisation (active, reporting to nobody)."""
    return Person.objects.filter(manager__isnull=True, is_active=True).select_related("role")


def directory_filter_choices() -> dict[str, QuerySet]:
    """Teams, units and roles offered as directory filters (one query each)."""
    return {
        "teams": Team.objects.select_related("business_unit").order_by(
            "name", "business_unit__name"
        ),
        "units": BusinessUnit.objects.order_by("name"),
        "roles": Role.objects.order_by("-level", "name"),
    }


# --- API lists and seat-cost visibility -------------------------------------------------


def person_list() -> QuerySet[Person]:
    """Everyone, with what a list shows about them joined in (one query per page)."""
    return Person.objects.select_related("role", "team", "business_unit", "manager")


def business_unit_list() -> QuerySet[BusinessUnit]:
    """Every business unit with its parent and leader joined in (one query per page)."""
    return BusinessUnit.objects.select_related("parent", "leader")


def team_list() -> QuerySet[Team]:
    """Every team with its unit and lead joined in (one query per page)."""
    return Team.objects.select_related("business_unit", "lead")


def role_list() -> QuerySet[Role]:
    """The rungs of the job ladder."""
    return Role.objects.all()


def position_seat_cost_visibility(*, user):
    """A SQL expression: whether ``user`` may see a seat's budgeted cost.

    Seat costs are private: HR admins see every one; a person sees the cost of the seats
    that report to someone in their own subtree (they are in the management chain above
    the seat); anybody else sees none. The database decides it inside the list query
    (the viewer's subtree is one recursive subquery), so costs never add a query per row.
    """
    if user_is_hr_admin(user=user):
        return Value(True, output_field=BooleanField())
    viewer = person_for_user(user=user)
    if viewer is None:
        return Value(False, output_field=BooleanField())
    return Case(
        When(reports_to_id__in=person_subtree_ids(root=viewer), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def position_seat_cost_is_visible(*, user, position: Position) -> bool:
    """The same decision as :func:`position_seat_cost_visibility`, for one seat."""
    if user_is_hr_admin(user=user):
        return True
    if position.reports_to_id is None:
        return False
    return person_can_see_private(user=user, subject=position.reports_to)


def position_list(*, user) -> QuerySet[Position]:
    """Every seat, each annotated with ``seat_cost_visible`` for ``user`` (one query per page)."""
    return Position.objects.select_related("role", "team", "reports_to", "holder").annotate(
        seat_cost_visible=position_seat_cost_visibility(user=user)
    )


def position_subtree_ids(*, root: Position) -> QuerySet:
    """Ids of ``root`` and every seat reporting to it, directly or not (one query)."""

    def make(cte):
        return (
            Position.objects.filter(pk=root.pk)
            .order_by()
            .values("id", depth=Value(0, output_field=IntegerField()))
            .union(
                cte.join(Position, reports_to_position_id=cte.col.id)
                .order_by()
                .filter(LessThan(cte.col.depth, MAX_TREE_DEPTH))
                .values("id", depth=cte.col.depth + Value(1, output_field=IntegerField())),
                all=True,
            )
        )

    cte = CTE.recursive(make, name="seat_subtree")
    return with_cte(cte, select=cte.join(Position, id=cte.col.id)).values("id")
