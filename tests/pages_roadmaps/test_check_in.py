"""Checking in on a key result from the goals page: through htmx the key result's row and
its goal's progress update in place; without JavaScript a plain POST redirects back. A
bad value is refused next to its field and nothing is written."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from roadmaps.models import CheckIn, Goal, KeyResult

from .conftest import HX


def url(kr) -> str:
    return f"/goals/key-results/{kr.pk}/check-in/"


def progress(goal) -> D:
    return Goal.objects.get(pk=goal.pk).progress


def test_htmx_check_in_returns_the_row_and_the_goals_progress(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.post(
        url(goals.kr), {"value": "30", "confidence": "8", "note": "Ten more merchants"}, **HX
    )
    assert response.status_code == 200
    check_in = CheckIn.objects.get()
    assert (check_in.value, check_in.confidence, check_in.note) == (D(30), 8, "Ten more merchants")
    assert check_in.author == cast.report
    # 30 of 40 merchants is 75%; the other key result is at 0%: the goal is at 37.5%,
    # and it moves every goal it contributes to.
    assert progress(goals.team) == D("37.50")
    assert progress(goals.unit) == progress(goals.company) > 0
    page = response.content.decode()
    assert page.startswith(f'<li class="kr kr--saved" id="kr-{goals.kr.pk}">')
    assert "<strong>30 merchants</strong>" in page and "Checked in just now" in page
    # The goal's summary and the page's status line are swapped out of band.
    assert f'id="goal-{goals.team.pk}-summary" hx-swap-oob="true"' in page
    assert 'aria-valuenow="37.5"' in page and ">38%</span>" in page
    assert "Confidence 8/10" in page
    assert '<div id="checkin-status" hx-swap-oob="innerHTML">Checked in 30 merchants' in page
    # A fresh, empty form for the next check-in.
    assert f'id="kr-{goals.kr.pk}-value"\n             value=""' in page


def test_htmx_check_in_also_refreshes_the_owners_goals_above_it(client, cast, goals):
    from roadmaps.services import goal_link_create

    goal_link_create(child=goals.team, parent=goals.orphan)  # both owned by report
    client.force_login(cast.report_user)
    page = client.post(url(goals.kr), {"value": "40"}, **HX).content.decode()
    assert f'id="goal-{goals.orphan.pk}-summary" hx-swap-oob="true"' in page
    # The unit goal is Dana's: not on Priya's page, so not swapped.
    assert f'id="goal-{goals.unit.pk}-summary"' not in page


def test_plain_post_redirects_back_to_the_goals_page(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.post(url(goals.kr), {"value": "10"})
    assert response.status_code == 302
    assert response["Location"] == (f"/goals/mine/?period={goals.team.period_id}#kr-{goals.kr.pk}")
    assert KeyResult.objects.get(pk=goals.kr.pk).current_value == D(10)
    assert progress(goals.team) == D("12.50")
    page = client.get(response["Location"]).content.decode()
    assert "Checked in 10 merchants on “Merchants on one-click”." in page


def test_a_manager_checks_in_for_their_report_and_returns_to_their_page(client, cast, goals):
    client.force_login(cast.leader_user)
    response = client.post(url(goals.kr), {"value": "20"})
    assert response["Location"].startswith(f"/goals/people/{cast.report.pk}/?period=")
    assert CheckIn.objects.get().author == cast.leader


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "lots"}, "value", "Enter a number."),
        ({"value": ""}, "value", "Enter the new value."),
        ({"value": "12", "confidence": "11"}, "confidence", "Select a valid choice."),
        ({"value": "1.00001"}, "value", "Ensure that there are no more than 4 decimal places."),
    ],
)
def test_a_bad_value_is_refused_next_to_the_field_and_nothing_is_written(
    client, cast, goals, data, field, message
):
    client.force_login(cast.report_user)
    before = progress(goals.team)
    response = client.post(url(goals.kr), data, **HX)
    assert response.status_code == 422
    page = response.content.decode()
    error_id = f"kr-{goals.kr.pk}-{field}-error"
    assert f'<p class="field__error" id="{error_id}">' in page
    assert message in page
    assert re.search(rf'aria-describedby="[^"]*{error_id}"', page)
    assert 'aria-invalid="true"' in page
    assert not CheckIn.objects.exists()
    assert progress(goals.team) == before
    # The value typed stays in the field to be corrected.
    if data["value"]:
        assert f'value="{data["value"]}"' in page


def test_without_javascript_a_bad_value_shows_the_page_again_with_the_error(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.post(url(goals.kr), {"value": "lots"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>My goals</h1>" in page
    assert f'id="kr-{goals.kr.pk}-value-error">Enter a number.</p>' in page
    assert "autofocus" in page
    assert not CheckIn.objects.exists()


def test_a_cancelled_goal_takes_no_check_in(client, cast, goals):
    Goal.objects.filter(pk=goals.team.pk).update(status=Goal.Status.CANCELLED)
    client.force_login(cast.report_user)
    response = client.post(url(goals.kr), {"value": "5"}, **HX)
    assert response.status_code == 422
    assert "This goal is cancelled; it takes no more check-ins." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_only_those_who_may_edit_the_goal_check_in(client, cast, goals):
    client.force_login(cast.peer_user)  # sees the public goal, may not change it
    assert client.post(url(goals.kr), {"value": "5"}, **HX).status_code == 403
    assert client.post(url(goals.kr), {"value": "5"}).status_code == 403
    client.force_login(cast.subreport.user)  # below the owner, not above
    assert client.post(url(goals.kr), {"value": "5"}).status_code == 403
    assert not CheckIn.objects.exists()


def test_a_key_result_of_a_private_goal_is_not_found_by_those_who_may_not_see_it(
    client, cast, goals
):
    from roadmaps.services import key_result_create

    hidden = key_result_create(goal=goals.private, title="Hidden", start_value=0, target_value=1)
    client.force_login(cast.peer_user)
    assert client.post(url(hidden), {"value": "1"}).status_code == 404
    assert client.post("/goals/key-results/999999/check-in/", {"value": "1"}).status_code == 404
    client.force_login(cast.hr_user)
    assert client.post(url(hidden), {"value": "1"}).status_code == 302


def test_a_bad_value_on_a_goal_without_owner_is_reported_on_the_goal_page(client, cast, goals):
    Goal.objects.filter(pk=goals.team.pk).update(owner=None)
    client.force_login(cast.hr_user)  # only HR admins edit a goal nobody owns
    response = client.post(url(goals.kr), {"value": "lots"})
    assert response.status_code == 302
    assert response["Location"] == f"/goals/{goals.team.pk}/"
    assert "Enter a number." in client.get(response["Location"]).content.decode()
    assert not CheckIn.objects.exists()
