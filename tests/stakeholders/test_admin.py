"""HR sets stakeholders, reviews and decisions up in the admin, through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stakeholders.models import Review, Stakeholder


@pytest.fixture
def hr_client(client, cast):
    client.force_login(cast.hr_user)
    return client


@pytest.mark.parametrize(
    "model", ["stakeholder", "alignment", "review", "decision", "notification"]
)
def test_changelists_and_add_pages_open_for_hr(hr_client, model):
    assert hr_client.get(f"/admin/stakeholders/{model}/").status_code == 200
    if model != "notification":
        assert hr_client.get(f"/admin/stakeholders/{model}/add/").status_code == 200


def test_members_cannot_reach_the_admin(client, cast):
    client.force_login(cast.leader_user)
    response = client.get("/admin/stakeholders/review/")
    assert response.status_code in (302, 403)


def _review_form(cast, **overrides):
    due = timezone.localtime(timezone.now() + timedelta(days=3))
    data = {
        "kind": Review.Kind.ROADMAP_REVIEW,
        "title": "Roadmap review",
        "owner": cast.leader.pk,
        "participants": [cast.report.pk],
        "due_at_0": due.strftime("%Y-%m-%d"),
        "due_at_1": due.strftime("%H:%M:%S"),
        "time_zone": "Europe/Berlin",
        "recurrence": "monthly",
        "reminder_lead": "1 00:00:00",
    }
    data.update(overrides)
    return data


def test_a_review_is_created_through_the_service(hr_client, cast):
    response = hr_client.post("/admin/stakeholders/review/add/", _review_form(cast))
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    assert review.anchor_at == review.due_at
    assert list(review.participants.all()) == [cast.report]


def test_an_invalid_recurrence_is_a_form_error_and_nothing_is_saved(hr_client, cast):
    response = hr_client.post(
        "/admin/stakeholders/review/add/", _review_form(cast, recurrence="FREQ=SOMETIMES")
    )
    assert response.status_code == 200
    assert "Not a valid recurrence rule" in response.content.decode()
    assert not Review.objects.exists()


def test_the_quadrant_is_derived(hr_client):
    response = hr_client.post(
        "/admin/stakeholders/stakeholder/add/",
        {
            "name": "Helena Ortiz",
            "organisation": "Northwind",
            "function": "customer",
            "influence": 5,
            "interest": 2,
        },
    )
    assert response.status_code == 302
    assert Stakeholder.objects.get().quadrant == Stakeholder.Quadrant.KEEP_SATISFIED
