"""HR admins read health snapshots in the admin; nobody writes them there."""

from __future__ import annotations

import pytest
from django.test import Client

from health.services import health_report_refresh, health_snapshot_take

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_reads_the_list_and_a_snapshot_with_its_breakdown(org):
    snapshot = health_snapshot_take(leader=org.leader)
    client = _client(org.hr_user)
    listing = client.get("/admin/health/healthsnapshot/")
    assert listing.status_code == 200
    assert "Lena" in listing.content.decode()
    page = client.get(f"/admin/health/healthsnapshot/{snapshot.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Goal aligned to nothing" in html
    assert 'name="_save"' not in html  # read-only: no save button


def test_no_adding_editing_or_deleting(org):
    snapshot = health_snapshot_take(leader=org.leader)
    client = _client(org.hr_user)
    assert client.get("/admin/health/healthsnapshot/add/").status_code == 403
    delete = client.post(f"/admin/health/healthsnapshot/{snapshot.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    edit = client.post(f"/admin/health/healthsnapshot/{snapshot.pk}/change/", {"score": 1})
    assert edit.status_code == 403
    snapshot.refresh_from_db()
    assert snapshot.score == 100


def test_members_do_not_get_in(org):
    response = _client(org.leader.user).get("/admin/health/healthsnapshot/")
    assert response.status_code == 302  # to the admin sign-in


def test_hr_reads_a_leaders_stored_report_and_may_not_change_it(org):
    report = health_report_refresh(leader=org.leader)
    client = _client(org.hr_user)
    assert "Lena" in client.get("/admin/health/leaderhealthreport/").content.decode()
    page = client.get(f"/admin/health/leaderhealthreport/{report.pk}/change/")
    assert page.status_code == 200
    assert "Goal aligned to nothing" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/health/leaderhealthreport/add/").status_code == 403
    delete = client.post(f"/admin/health/leaderhealthreport/{report.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert _client(org.leader.user).get("/admin/health/leaderhealthreport/").status_code == 302
