"""HR admins order responsibility areas and set each rung's RACI letter, from the area or
from the role, through the services and with history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import ResponsibilityArea, Role, RoleResponsibility


@pytest.fixture
def hr_client(client, cast):
    client.force_login(cast.hr_user)
    return client


def inline_data(prefix: str, rows: list[dict], initial: int) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def test_areas_are_listed_in_their_order_with_who_is_accountable(hr_client):
    response = hr_client.get(reverse("admin:roles_responsibilityarea_changelist"))
    assert response.status_code == 200
    areas = list(response.context["cl"].result_list)
    assert areas[0].key == "product-vision" and areas[-1].key == "portfolio-lifecycle"
    assert "Chief Product Officer" in response.content.decode()


def test_list_editing_reorders_the_areas(hr_client):
    vision, strategy = ResponsibilityArea.objects.order_by("position")[:2]
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": vision.pk,
        "form-0-position": 5,
        "form-1-id": strategy.pk,
        "form-1-position": 0,
        "_save": "Save",
    }
    response = hr_client.post(reverse("admin:roles_responsibilityarea_changelist"), data)
    assert response.status_code == 302
    assert ResponsibilityArea.objects.get(pk=vision.pk).position == 5
    assert ResponsibilityArea.objects.get(pk=strategy.pk).position == 0


def test_a_new_area_with_its_raci_from_the_area_page(hr_client, cast):
    head = Role.objects.get(name="Head of Product")
    pm = Role.objects.get(name="Product Manager")
    data = {
        "name": "Pricing",
        "key": "pricing",
        "position": "20",
        "description": "List prices and discounts.",
        **inline_data(
            "role_responsibilities",
            [{"role": head.pk, "raci": "A"}, {"role": pm.pk, "raci": "R"}],
            initial=0,
        ),
    }
    response = hr_client.post(reverse("admin:roles_responsibilityarea_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    area = ResponsibilityArea.objects.get(key="pricing")
    assert dict(area.role_responsibilities.values_list("role__name", "raci")) == {
        "Head of Product": "A",
        "Product Manager": "R",
    }
    entry = area.role_responsibilities.get(role=head)
    assert entry.history.first().history_user == cast.hr_user


def test_one_letter_per_role_and_area(hr_client):
    pm = Role.objects.get(name="Product Manager")
    data = {
        "name": "Pricing",
        "key": "pricing",
        "position": "20",
        **inline_data(
            "role_responsibilities",
            [{"role": pm.pk, "raci": "A"}, {"role": pm.pk, "raci": "R"}],
            initial=0,
        ),
    }
    response = hr_client.post(reverse("admin:roles_responsibilityarea_add"), data)
    assert response.status_code == 200
    assert not ResponsibilityArea.objects.filter(key="pricing").exists()


def test_the_role_page_shows_and_changes_its_raci(hr_client, cast):
    cpo = Role.objects.get(name="Chief Product Officer")
    entries = list(RoleResponsibility.objects.filter(role=cpo).order_by("area__position"))
    page = hr_client.get(reverse("admin:roles_role_change", args=[cpo.pk]))
    assert page.status_code == 200
    assert "RACI" in page.content.decode()
    rows = [{"id": e.pk, "role": cpo.pk, "area": e.area_id, "raci": e.raci} for e in entries]
    rows[0]["raci"] = "R"  # product vision: accountable → responsible
    rows[1]["DELETE"] = "on"  # strategy: no longer the CPO's
    data = {
        "name": cpo.name,
        "family": cpo.family,
        "track": cpo.track,
        "level": cpo.level,
        "summary": cpo.summary,
        "responsibilities": cpo.responsibilities,
        **inline_data("responsibilities_raci", rows, initial=len(rows)),
    }
    response = hr_client.post(reverse("admin:roles_role_change", args=[cpo.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    letters = dict(RoleResponsibility.objects.filter(role=cpo).values_list("area__key", "raci"))
    assert letters["product-vision"] == "R"
    assert "strategy" not in letters
    removed = RoleResponsibility.history.filter(history_type="-", role_id=cpo.pk)
    assert [(h.area_id, h.history_user) for h in removed] == [(entries[1].area_id, cast.hr_user)]


def test_only_hr_admins_reach_the_areas(client, cast):
    client.force_login(cast.top.user)
    response = client.get(reverse("admin:roles_responsibilityarea_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
