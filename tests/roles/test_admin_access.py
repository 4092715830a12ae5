"""The admin is HR's: HR admins and superusers get in; staff and members do not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import ImportJob, Person
from tests.factories import PositionFactory, UserFactory

ORG_PAGES = [
    ("admin:roles_person_changelist", []),
    ("admin:roles_person_add", []),
    ("admin:roles_businessunit_changelist", []),
    ("admin:roles_team_changelist", []),
    ("admin:roles_role_changelist", []),
    ("admin:roles_position_changelist", []),
    ("admin:roles_position_export", []),
    ("admin:roles_person_export", []),
    ("admin:roles_person_people_import", []),
    ("admin:roles_importjob_changelist", []),
]


@pytest.fixture
def seat(cast):
    return PositionFactory(team=cast.report.team, budgeted_annual_cost=987654)


@pytest.mark.parametrize(("name", "args"), ORG_PAGES)
def test_an_hr_admin_without_staff_flag_opens_every_page(client, cast, seat, name, args):
    assert not cast.hr_user.is_staff
    client.force_login(cast.hr_user)
    assert client.get(reverse(name, args=args)).status_code == 200


def test_a_superuser_opens_the_organisation_admin(client, cast, seat):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:roles_position_changelist"))
    assert response.status_code == 200
    assert "987654" in response.content.decode().replace(",", "")


@pytest.mark.parametrize("who", ["staff", "leader", "outsider"])
def test_anyone_else_is_sent_to_sign_in_and_never_sees_seat_costs(client, cast, seat, who):
    user = {
        "staff": UserFactory(is_staff=True),
        "leader": cast.leader_user,
        "outsider": cast.outsider_user,
    }[who]
    client.force_login(user)
    for name, args in ORG_PAGES:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name
    job = ImportJob.objects.create(file_name="x.csv", content="email\n")
    response = client.get(reverse("admin:roles_person_import_job", args=[job.pk]))
    assert response.status_code == 302
    response = client.get(reverse("admin:index"), follow=True)
    assert "987654" not in response.content.decode()


def test_staff_with_model_permissions_but_not_hr_cannot_change_people(client, cast):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="roles"))
    client.force_login(staff)
    url = reverse("admin:roles_person_change", args=[cast.report.pk])
    assert client.post(url, {"full_name": "Hacked"}).status_code == 302
    assert Person.objects.get(pk=cast.report.pk).full_name == "Priya"


def test_the_admin_sign_in_form_admits_hr_admins_and_refuses_staff(client, cast):
    url = reverse("admin:login")
    staff = UserFactory(username="staff@example.com", is_staff=True)
    response = client.post(url, {"username": staff.username, "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert "HR admin account" in response.content.decode()

    response = client.post(
        url, {"username": cast.hr_user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_index_lists_the_organisation_for_hr_only(client, cast):
    client.force_login(cast.hr_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "People" in page and "Positions" in page and "Import jobs" in page


def test_autocomplete_finds_managers_for_hr_only(client, cast):
    url = reverse("admin:autocomplete")
    params = {"app_label": "roles", "model_name": "person", "field_name": "manager", "term": "pri"}
    client.force_login(cast.hr_user)
    response = client.get(url, params)
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Priya"]
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url, params).status_code in (302, 403)
