"""REST API of the organisation: people, business units, teams, roles and seats.

Thin by design: lists and lookups come from ``roles.selectors``, filters from
``roles.filters`` (shared with the pages), and every write goes through
``roles.services``, whose :class:`~productorg.errors.ApplicationError` becomes a 400 in
the one error format. Every signed-in member reads; only HR admins write
(``IsMemberReadOnlyOrHRAdmin``, the default permission).
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, Func, Subquery
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings

from . import services
from .filters import (
    BusinessUnitFilterSet,
    PersonFilterSet,
    PositionFilterSet,
    RoleFilterSet,
    TeamFilterSet,
)
from .models import BusinessUnit, Person, Position, Role, Team
from .selectors import business_unit_list, person_list, position_list, role_list, team_list

# --- Serializers (input validation and output shape; no domain rules) ------------------


def _name_of(source: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(
        source=source, read_only=True, allow_null=True, help_text=help_text
    )


class PersonSerializer(serializers.ModelSerializer):
    role_name = _name_of("role.name", "Name of the role.")
    manager_name = _name_of("manager.full_name", "Full name of the manager.")
    team_name = _name_of("team.name", "Name of the team.")
    business_unit_name = _name_of("business_unit.name", "Name of the business unit.")

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "email",
            "title",
            "role",
            "role_name",
            "manager",
            "manager_name",
            "team",
            "team_name",
            "business_unit",
            "business_unit_name",
            "location",
            "start_date",
            "is_active",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "manager": {"help_text": "Id of the person this person reports to."},
        }


class BusinessUnitSerializer(serializers.ModelSerializer):
    parent_name = _name_of("parent.name", "Name of the parent unit.")
    leader_name = _name_of("leader.full_name", "Full name of the leader.")

    class Meta:
        model = BusinessUnit
        fields = [
            "id",
            "name",
            "slug",
            "parent",
            "parent_name",
            "leader",
            "leader_name",
            "created_at",
            "updated_at",
        ]


class TeamSerializer(serializers.ModelSerializer):
    business_unit_name = _name_of("business_unit.name", "Name of the business unit.")
    lead_name = _name_of("lead.full_name", "Full name of the lead.")

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "business_unit",
            "business_unit_name",
            "lead",
            "lead_name",
            "kind",
            "created_at",
            "updated_at",
        ]


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = [
            "id",
            "name",
            "family",
            "track",
            "level",
            "summary",
            "responsibilities",
            "created_at",
            "updated_at",
        ]


class PositionSerializer(serializers.ModelSerializer):
    display_title = serializers.CharField(
        read_only=True, help_text="The title, or the role's name when there is none."
    )
    role_name = _name_of("role.name", "Name of the role.")
    team_name = _name_of("team.name", "Name of the team.")
    reports_to_name = _name_of("reports_to.full_name", "Full name of the person it reports to.")
    holder_name = _name_of("holder.full_name", "Full name of the person in the seat.")
    budgeted_annual_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        required=False,
        help_text="Private. Answered only to HR admins and to the management chain above "
        "the seat (the person it reports to and everyone above them); null for anyone else.",
    )

    class Meta:
        model = Position
        fields = [
            "id",
            "title",
            "display_title",
            "role",
            "role_name",
            "team",
            "team_name",
            "reports_to",
            "reports_to_name",
            "reports_to_position",
            "holder",
            "holder_name",
            "status",
            "budgeted_annual_cost",
            "currency",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Fail closed: a row that did not come through position_list shows no cost.
        if not getattr(instance, "seat_cost_visible", False):
            data["budgeted_annual_cost"] = None
        return data


# The columns a people list reads: what PersonSerializer shows, the joined names included.
# Sorting a page out of the whole organisation with every column of the joined role,
# team, unit and manager rows, then building those rows, cost a third more.
PERSON_LIST_COLUMNS = tuple(
    {
        "role_name": "role__name",
        "manager_name": "manager__full_name",
        "team_name": "team__name",
        "business_unit_name": "business_unit__name",
    }.get(name, name)
    for name in PersonSerializer.Meta.fields
)


# The people list's order when no `ordering` is asked for: the model's, ties by id.
PERSON_DEFAULT_ORDER = (*Person._meta.ordering, "pk")


# Fields whose value read from the database is already what the serializer answers
# (ids of related rows included: PrimaryKeyRelatedField answers the id); any other field
# (dates, times) is converted by the serializer's own field, so the two cannot drift.
_AS_READ = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.PrimaryKeyRelatedField,
)


@cache
def _person_list_fields() -> tuple[tuple[str, serializers.Field], ...]:
    """(key, field) of PersonSerializer, in its order."""
    return tuple(PersonSerializer().fields.items())


def _iso_datetime(field: serializers.Field):
    """DateTimeField.to_representation of an ISO 8601 field in the current time zone.

    The field's own conversion looks its format and zone up again for every value, which
    for two times of 50 people costs as much as building the rest of the page; this one
    looks them up once per page. None when the field is anything else.
    """
    if not (
        type(field) is serializers.DateTimeField
        and settings.USE_TZ
        and not hasattr(field, "timezone")
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    ):
        return None
    zone = timezone.get_current_timezone()

    def convert(value):
        if timezone.is_naive(value):
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


class _IsoUtc(Func):
    """A time as DRF's ISO 8601 field answers it in UTC, formatted by PostgreSQL:
    ``2024-01-02T03:04:05.678901Z``, the fraction only when there is one (as
    ``datetime.isoformat`` writes it)."""

    output_field = CharField()
    template = (
        "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        " || CASE WHEN to_char(%(expressions)s, 'US') = '000000' THEN ''"
        " ELSE to_char(%(expressions)s, '.US') END || 'Z'"
    )


def _database_formats_times() -> bool:
    """Whether the page's times are read already formatted (PostgreSQL, answering in UTC):
    parsing 100 times into datetimes only to print them again costs a tenth of a page."""
    return (
        connection.vendor == "postgresql"
        and settings.USE_TZ
        and timezone.get_current_timezone_name() == "UTC"
        and all(
            _iso_datetime(field) is not None
            for name, field in _person_list_fields()
            if isinstance(field, serializers.DateTimeField)
        )
    )


def person_list_payload(rows, *, times_formatted: bool = False) -> list[dict]:
    """What PersonSerializer(many=True) answers, built from ``PERSON_LIST_COLUMNS`` rows.

    A page of 50 people built as model instances with their joined role, manager, team
    and unit and then serialised field by field costs several times the query itself.
    ``times_formatted``: the rows' times are already DRF's text (``_IsoUtc``).
    """
    fields = _person_list_fields()
    keys = [name for name, _ in fields]
    convert = [
        (i, _iso_datetime(field) or field.to_representation)
        for i, (_, field) in enumerate(fields)
        if not isinstance(field, _AS_READ)
        and not (times_formatted and isinstance(field, serializers.DateTimeField))
    ]
    payload = []
    for row in rows:
        if convert:
            row = list(row)
            for i, function in convert:
                if row[i] is not None:
                    row[i] = function(row[i])
        payload.append(dict(zip(keys, row, strict=True)))
    return payload


class _PersonRows:
    """The filtered people as the paginator sees them: counted as the people queryset
    (no joins), a page read as plain rows of ``PERSON_LIST_COLUMNS``.

    ``prefetch`` reads one page and the total in a single statement (the total as a
    scalar subquery on each row); the paginator's count and slice are then answered
    from it, sparing the count's own round trip on the list integrations call most.
    """

    def __init__(self, queryset):
        self.queryset = queryset
        self.ordered = queryset.ordered
        self.times_formatted = _database_formats_times()
        self._total: int | None = None
        self._page: tuple[int, list[tuple]] | None = None

    def _rows(self, queryset, *extra: str):
        """``queryset`` as plain rows of the list's columns (and ``extra`` annotations)."""
        if not self.times_formatted:
            return queryset.values_list(*PERSON_LIST_COLUMNS, *extra)
        times = {
            name: f"{name}_iso"
            for name, field in _person_list_fields()
            if isinstance(field, serializers.DateTimeField)
        }
        return queryset.annotate(
            **{alias: _IsoUtc(name) for name, alias in times.items()}
        ).values_list(*(times.get(name, name) for name in PERSON_LIST_COLUMNS), *extra)

    def prefetch(self, *, offset: int, limit: int) -> None:
        """Read the page at ``offset`` and the total together (see the class)."""
        total = self.queryset.order_by().values(n=Func(F("pk"), function="COUNT"))
        page = self.queryset.annotate(list_total=Subquery(total))
        rows = list(self._rows(page, "list_total")[offset : offset + limit])
        if rows:  # an empty page leaves the count to its own query
            self._total = rows[0][-1]
            self._page = (offset, [row[:-1] for row in rows])

    def count(self) -> int:
        if self._total is None:
            self._total = self.queryset.count()
        return self._total

    def __getitem__(self, index):
        if self._page is not None and isinstance(index, slice):
            offset, rows = self._page
            start = index.start or 0
            if start == offset and index.stop is not None and index.stop - offset <= len(rows):
                return rows[: index.stop - offset]
        return self._rows(self.queryset)[index]


# --- Viewsets ----------------------------------------------------------------------------


class OrgViewSet(viewsets.ModelViewSet):
    """Reads through a selector, writes through services, answers with the re-read row.

    The re-read goes through the same selector as the lists, so a write answers exactly
    what a later GET would (joined names, the seat-cost decision).
    """

    filter_backends = [DjangoFilterBackend]

    def reread(self, instance):
        return self.get_queryset().get(pk=instance.pk)


class PersonViewSet(OrgViewSet):
    """People of the organisation; `?under=<id>` lists a leader's whole subtree."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def get_queryset(self):
        if self.action == "list":
            return person_list().only(*PERSON_LIST_COLUMNS)
        return person_list()

    def list(self, request, *args, **kwargs):
        # The same filters, ordering and pagination (and so the same queries), reading
        # plain rows of the joined columns instead of model instances.
        if any(name in request.query_params for name in self.filterset_class.base_filters):
            queryset = self.filter_queryset(self.get_queryset())
            rows = _PersonRows(queryset)
        else:
            # What the FilterSet answers when no filter is asked for, without building
            # it and its form: the stable default order (see StableOrderingFilter).
            queryset = self.get_queryset().order_by(*PERSON_DEFAULT_ORDER)
            rows = _PersonRows(queryset)
            # The list integrations call most: page and total in one statement.
            offset = self._requested_offset(request)
            if offset is not None:
                rows.prefetch(offset=offset, limit=self.paginator.get_page_size(request))
        page = self.paginate_queryset(rows)
        formatted = rows.times_formatted
        if page is None:
            return Response(person_list_payload(rows[:], times_formatted=formatted))
        return self.get_paginated_response(person_list_payload(page, times_formatted=formatted))

    def _requested_offset(self, request) -> int | None:
        """The first row of the page asked for; None when the paginator must decide
        (``page=last``, a page that is not a positive number, no pagination)."""
        size = self.paginator.get_page_size(request) if self.paginator else None
        number = request.query_params.get(self.paginator.page_query_param, "1") if size else ""
        if not number.isdigit() or int(number) < 1:
            return None
        return (int(number) - 1) * size

    def perform_create(self, serializer):
        person = services.person_create(acting_user=self.request.user, **serializer.validated_data)
        serializer.instance = self.reread(person)

    def perform_update(self, serializer):
        person = services.person_update(
            person=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.reread(person)

    def perform_destroy(self, instance):
        services.person_delete(person=instance, acting_user=self.request.user)


class BusinessUnitViewSet(OrgViewSet):
    """Business units; `parent` nests them, and a move never forms a cycle."""

    serializer_class = BusinessUnitSerializer
    filterset_class = BusinessUnitFilterSet

    def get_queryset(self):
        return business_unit_list()

    def perform_create(self, serializer):
        unit = services.business_unit_create(
            acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.reread(unit)

    def perform_update(self, serializer):
        unit = services.business_unit_update(
            unit=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.reread(unit)

    def perform_destroy(self, instance):
        services.business_unit_delete(unit=instance, acting_user=self.request.user)


class TeamViewSet(OrgViewSet):
    """Teams inside business units."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet

    def get_queryset(self):
        return team_list()

    def perform_create(self, serializer):
        team = services.team_create(acting_user=self.request.user, **serializer.validated_data)
        serializer.instance = self.reread(team)

    def perform_update(self, serializer):
        team = services.team_update(
            team=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.reread(team)

    def perform_destroy(self, instance):
        services.team_delete(team=instance, acting_user=self.request.user)


class RoleViewSet(OrgViewSet):
    """The job ladder: each role is a rung, `level` orders them (higher is more senior)."""

    serializer_class = RoleSerializer
    filterset_class = RoleFilterSet

    def get_queryset(self):
        return role_list()

    def perform_create(self, serializer):
        role = services.role_create(acting_user=self.request.user, **serializer.validated_data)
        serializer.instance = self.reread(role)

    def perform_update(self, serializer):
        role = services.role_update(
            role=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.reread(role)

    def perform_destroy(self, instance):
        services.role_delete(role=instance, acting_user=self.request.user)


class PositionViewSet(OrgViewSet):
    """Seats of the organisation plan; open seats are the hiring plan.

    `budgeted_annual_cost` is private (see the field); the decision is made by the
    database inside the list query, never per row.
    """

    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet

    def get_queryset(self):
        return position_list(user=self.request.user)

    def perform_create(self, serializer):
        position = services.position_create(
            acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.reread(position)

    def perform_update(self, serializer):
        position = services.position_update(
            position=serializer.instance,
            acting_user=self.request.user,
            **serializer.validated_data,
        )
        serializer.instance = self.reread(position)

    def perform_destroy(self, instance):
        services.position_delete(position=instance, acting_user=self.request.user)
