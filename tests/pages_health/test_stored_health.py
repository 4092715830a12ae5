"""The dashboard shows the leader's stored alignment health "as of" when it was
computed, with a Refresh button (a POST with CSRF, with or without htmx)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from health import tasks
from health.models import LeaderHealthReport
from health.services import health_report_refresh
from roadmaps.models import Goal
from roles.models import Person

from .conftest import HX


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(tasks.refresh_report, "delay", ids.append)
    return ids


def test_the_page_says_when_the_health_was_computed_and_offers_a_refresh(
    client, cast, period, portfolio
):
    client.force_login(cast.leader_user)
    response = client.get(f"/dashboard/{cast.leader.pk}/")
    stored = LeaderHealthReport.objects.get(leader=cast.leader)  # stored on first view
    html = response.content.decode()
    assert f'datetime="{timezone.localtime(stored.computed_at).isoformat()}"' in html
    assert "Health as of" in html
    assert f'action="/dashboard/{cast.leader.pk}/health/refresh/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "updating in the background" not in html


def test_an_old_report_is_shown_as_it_is_and_refreshed_after_the_request(
    client, cast, period, portfolio, enqueued, django_capture_on_commit_callbacks
):
    health_report_refresh(leader=cast.leader)
    old = timezone.now() - timedelta(hours=3)
    LeaderHealthReport.objects.filter(leader=cast.leader).update(computed_at=old)
    client.force_login(cast.leader_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/dashboard/{cast.leader.pk}/")
    assert response.context["dashboard"].health_computed_at == old
    assert "updating in the background" in response.content.decode()
    assert enqueued == [cast.leader.pk]


def test_refresh_recomputes_and_goes_back_to_the_page_without_javascript(cast, period, portfolio):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.leader_user)
    page = browser.get(f"/dashboard/{cast.leader.pk}/", {"period": period.pk})
    before = LeaderHealthReport.objects.get(leader=cast.leader).computed_at
    token = page.context["csrf_token"]
    url = f"/dashboard/{cast.leader.pk}/health/refresh/"
    back = f"/dashboard/{cast.leader.pk}/?period={period.pk}"

    assert browser.post(url, {"next": back}).status_code == 403  # no CSRF token
    response = browser.post(url, {"next": back, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 303
    assert response["Location"] == back
    assert LeaderHealthReport.objects.get(leader=cast.leader).computed_at > before


def test_refresh_with_htmx_follows_to_the_page_htmx_swaps_in(client, cast, period, portfolio):
    client.force_login(cast.top.user)
    url = f"/dashboard/{cast.leader.pk}/health/refresh/"
    # htmx says which page it is on now: the findings were narrowed in place since.
    now_on = f"/dashboard/{cast.leader.pk}/?kind=goal_unaligned"
    response = client.post(
        url,
        {"next": f"/dashboard/{cast.leader.pk}/"},
        follow=True,
        headers={"HX-Current-URL": f"http://testserver{now_on}"},
        **HX,
    )
    assert response.redirect_chain == [(now_on, 303)]
    assert 'id="dash-main"' in response.content.decode()


@pytest.mark.parametrize("wanted", ["https://evil.example/", "//evil.example/", "/admin/"])
def test_refresh_goes_back_only_to_a_dashboard(client, cast, period, wanted):
    client.force_login(cast.leader_user)
    response = client.post(f"/dashboard/{cast.leader.pk}/health/refresh/", {"next": wanted})
    assert response["Location"] == f"/dashboard/{cast.leader.pk}/"


def test_refresh_is_for_whoever_may_see_the_dashboard_and_only_by_post(client, cast, period):
    url = f"/dashboard/{cast.leader.pk}/health/refresh/"
    client.force_login(cast.peer_user)
    assert client.post(url).status_code == 404
    assert not LeaderHealthReport.objects.exists()
    client.force_login(cast.hr_user)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 303
    assert LeaderHealthReport.objects.filter(leader=cast.leader).exists()


def test_the_stored_findings_mask_a_goal_made_private_since_for_who_may_not_see_it(
    client, cast, period, portfolio
):
    secret = Goal.objects.create(
        title="Acquire Globex quietly", level=Goal.Level.TEAM, owner=cast.subreport, period=period
    )
    health_report_refresh(leader=cast.report)  # Sam's unaligned goal, under Priya
    # Since then Sam moved to Omar's branch and made the goal private: Priya's stored
    # report still lists it, but Priya may no longer see it.
    Person.objects.filter(pk=cast.subreport.pk).update(manager=cast.peer)
    Goal.objects.filter(pk=secret.pk).update(visibility=Goal.Visibility.PRIVATE)

    client.force_login(cast.report_user)
    html = client.get(f"/dashboard/{cast.report.pk}/").content.decode()
    assert "Acquire Globex quietly" not in html
    assert f"/goals/{secret.pk}/" not in html
    assert "A private goal" in html
    data = client.get(f"/api/v1/leaders/{cast.report.pk}/dashboard/").json()
    assert "Acquire Globex quietly" not in str(data)
    assert [f["subject"] for f in data["findings"] if f["kind"] == "goal_unaligned"] == [
        "A private goal"
    ]
    stored = LeaderHealthReport.objects.get(leader=cast.report)
    assert parse_datetime(data["health_computed_at"]) == stored.computed_at
    assert data["health_stale"] is False

    # HR admins see it by name, from the same stored report.
    client.force_login(cast.hr_user)
    html = client.get(f"/dashboard/{cast.report.pk}/").content.decode()
    assert "Acquire Globex quietly" in html
    assert f"/goals/{secret.pk}/" in html
