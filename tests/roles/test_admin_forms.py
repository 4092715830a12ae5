"""Saving in the HR admin goes through the services: broken rules are form errors, not 500s."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.models import BusinessUnit, Person, Position, Role
from tests.conftest import build_org
from tests.factories import BusinessUnitFactory, PositionFactory


def person_form(person: Person, **changes) -> dict:
    data = {
        "full_name": person.full_name,
        "email": person.email,
        "title": person.title,
        "role": person.role_id or "",
        "is_active": "on" if person.is_active else "",
        "manager": person.manager_id or "",
        "team": person.team_id or "",
        "business_unit": person.business_unit_id or "",
        "location": person.location,
        "start_date": person.start_date or "",
        "user": person.user_id or "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k != "is_active"}


@pytest.fixture
def hr_client(client, cast):
    client.force_login(cast.hr_user)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:roles_{obj._meta.model_name}_change", args=[obj.pk])


def test_moving_a_leader_under_their_own_report_is_a_form_error(hr_client, cast):
    history = cast.leader.history.count()
    response = hr_client.post(
        change_url(cast.leader), person_form(cast.leader, manager=cast.subreport.pk)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["manager"]
    assert "cycle" in errors["manager"][0]
    cast.leader.refresh_from_db()
    assert cast.leader.manager == cast.top
    assert cast.leader.history.count() == history


def test_managing_oneself_is_a_form_error(hr_client, cast):
    response = hr_client.post(
        change_url(cast.report), person_form(cast.report, manager=cast.report.pk)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["manager"]
    assert "cannot manage themself" in errors["manager"][0]
    cast.report.refresh_from_db()
    assert cast.report.manager == cast.leader


def test_a_valid_move_is_saved_through_the_service_with_history(hr_client, cast):
    response = hr_client.post(
        change_url(cast.report), person_form(cast.report, manager=cast.peer.pk, title="Lead PM")
    )

    assert response.status_code == 302
    cast.report.refresh_from_db()
    assert (cast.report.manager, cast.report.title) == (cast.peer, "Lead PM")
    last = cast.report.history.first()
    assert last.history_user == cast.hr_user
    assert (last.prev_record.manager_id, last.manager_id) == (cast.leader.pk, cast.peer.pk)
    assert cast.report.history.filter(history_date__gte=last.prev_record.history_date).count() == 2


def test_adding_a_person_in_the_admin(hr_client, cast):
    blank = Person(full_name="Noor Ali", email="noor@example.com", title="PM")
    response = hr_client.post(
        reverse("admin:roles_person_add"), person_form(blank, manager=cast.report.pk)
    )
    assert response.status_code == 302
    noor = Person.objects.get(email="noor@example.com")
    assert noor.manager == cast.report
    assert noor.history.get().history_user == cast.hr_user


def test_nesting_a_unit_inside_its_own_subunit_is_a_form_error(hr_client, cast):
    top = cast.report.business_unit
    child = BusinessUnitFactory(parent=top)
    response = hr_client.post(
        change_url(top), {"name": top.name, "slug": top.slug, "parent": child.pk, "leader": ""}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["parent"] and "cycle" in errors["parent"][0]
    response = hr_client.post(
        change_url(top), {"name": top.name, "slug": top.slug, "parent": top.pk, "leader": ""}
    )
    assert "cannot contain itself" in response.context["adminform"].form.errors["parent"][0]
    top.refresh_from_db()
    assert top.parent is None


def test_a_rule_found_only_by_the_service_is_a_message_not_a_server_error(hr_client, cast):
    upper = PositionFactory()
    lower = PositionFactory(reports_to_position=upper)
    data = {
        "title": "",
        "role": upper.role_id,
        "status": "open",
        "currency": "EUR",
        "budgeted_annual_cost": "1000",
        "reports_to_position": lower.pk,
    }
    response = hr_client.post(change_url(upper), data)

    assert response.status_code == 302
    assert response["Location"] == change_url(upper)
    assert any("cycle" in str(m) for m in get_messages(response.wsgi_request))
    upper.refresh_from_db()
    assert upper.reports_to_position is None


def test_deleting_a_seat_holder_is_refused_with_a_message(hr_client, cast):
    PositionFactory(status=Position.Status.FILLED, holder=cast.subreport)
    response = hr_client.post(
        reverse("admin:roles_person_delete", args=[cast.subreport.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert any("hold the seat" in str(m) for m in get_messages(response.wsgi_request))
    assert Person.objects.filter(pk=cast.subreport.pk).exists()


def test_hr_reorders_the_ladder_in_the_role_list(hr_client, cast):
    head = Role.objects.get(name="Head of Product")
    director = Role.objects.get(name="Director of Product")
    roles = list(Role.objects.order_by("family", "-level", "name"))
    data = {
        "form-TOTAL_FORMS": str(len(roles)),
        "form-INITIAL_FORMS": str(len(roles)),
        "_save": "Save",
    }
    for i, role in enumerate(roles):
        data[f"form-{i}-id"] = role.pk
        data[f"form-{i}-level"] = 75 if role == head else role.level
    response = hr_client.post(reverse("admin:roles_role_changelist"), data)

    assert response.status_code == 302
    head.refresh_from_db()
    assert head.level > director.level
    assert head.history.first().history_user == cast.hr_user


@pytest.mark.parametrize(
    "name",
    [
        "admin:roles_person_changelist",
        "admin:roles_team_changelist",
        "admin:roles_businessunit_changelist",
        "admin:roles_position_changelist",
        "admin:roles_role_changelist",
    ],
)
def test_changelists_take_the_same_queries_for_2_and_50_rows(client, db, name):
    from tests.factories import TeamFactory, UserFactory

    client.force_login(UserFactory(hr_admin=True))

    def grow(n: int) -> None:
        unit = BusinessUnitFactory(parent=BusinessUnitFactory())
        root = build_org(size=n, unit=unit)
        for person in Person.objects.filter(pk__gt=root.pk)[: n // 2]:
            PositionFactory(
                team=TeamFactory(name=f"Squad {person.pk}", business_unit=unit, lead=root),
                holder=person,
                reports_to=root,
                status=Position.Status.FILLED,
            )
        BusinessUnit.objects.filter(pk=unit.pk).update(leader=root)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx)

    grow(2)
    small = count()
    grow(50)
    assert count() == small


def test_the_history_page_shows_who_changed_what_before_and_after(hr_client, cast):
    hr_client.post(change_url(cast.report), person_form(cast.report, manager=cast.peer.pk))
    page = hr_client.get(reverse("admin:roles_person_history", args=[cast.report.pk]))
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert "Changed hr@example.com" in text
    assert "Manager: Dana → Omar" in text
