"""My goals and other people's goals: key results with a check-in form for whoever may
check in, and private goals only for those who may see them."""

from __future__ import annotations

import re

from roadmaps.models import Goal


def goal_titles(response) -> set[str]:
    return {g.title for g in response.context["goals"]}


def test_my_goals_lists_my_goals_of_the_current_period_with_their_key_results(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.get("/goals/mine/")
    assert response.status_code == 200
    assert goal_titles(response) == {
        "Ship one-click checkout",
        "Secret pricing experiment",
        "Private growth plan",
        "Tidy the backlog",
    }
    page = response.content.decode()
    assert "<h1>My goals</h1>" in page
    assert "Merchants on one-click" in page and "Checkout conversion" in page
    # One check-in form per key result, posting to the key result, enhanced by htmx.
    url = f"/goals/key-results/{goals.kr.pk}/check-in/"
    assert f'action="{url}"' in page and f'hx-post="{url}"' in page
    assert f'hx-target="#kr-{goals.kr.pk}"' in page
    assert f'<label for="kr-{goals.kr.pk}-value">New value</label>' in page
    assert f'aria-describedby="kr-{goals.kr.pk}-value-hint"' in page
    assert response.context["stats"] == {
        "goals": 4,
        "key_results": 2,
        "average": 0,
        "due": 4,
    }
    # Goals without key results say how to get started.
    assert "No key results yet" in page


def test_someone_elses_goals_hide_their_private_goals_from_a_peer(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get(f"/goals/people/{cast.report.pk}/")
    assert goal_titles(response) == {"Ship one-click checkout", "Tidy the backlog"}
    page = response.content.decode()
    assert "Priya’s goals" in page
    assert "Secret pricing" not in page and "Private growth plan" not in page
    # A peer reads the goals but cannot check in on them.
    assert "check-in/" not in page and '<form class="checkin"' not in page


def test_the_owners_manager_sees_the_private_goals_and_may_check_in(client, cast, goals):
    client.force_login(cast.leader_user)
    response = client.get(f"/goals/people/{cast.report.pk}/")
    assert "Secret pricing experiment" in goal_titles(response)
    assert f'action="/goals/key-results/{goals.kr.pk}/check-in/"' in response.content.decode()


def test_a_login_without_a_person_is_told_what_to_do(client, cast, goals):
    client.force_login(cast.outsider_user)
    page = client.get("/goals/mine/").content.decode()
    assert "Your login is not linked to a person yet" in page
    assert 'href="/goals/alignment/"' in page


def test_no_goals_in_the_period_says_what_to_do_next(client, cast, goals):
    client.force_login(cast.subreport.user)
    page = client.get("/goals/mine/").content.decode()
    assert "You have no goals in this period" in page
    assert "See the goal alignment" in page


def test_a_person_who_left_is_not_found(client, cast, goals):
    cast.peer.is_active = False
    cast.peer.save()
    client.force_login(cast.report_user)
    assert client.get(f"/goals/people/{cast.peer.pk}/").status_code == 404


def test_a_goal_with_no_check_in_within_its_cadence_is_due(client, cast, goals):
    from roadmaps.services import check_in_create

    check_in_create(key_result=goals.kr, author=cast.report, value=4)
    client.force_login(cast.report_user)
    response = client.get("/goals/mine/")
    due = {g.title: g.due for g in response.context["goals"]}
    assert due["Ship one-click checkout"] is False
    assert due["Tidy the backlog"] is True
    Goal.objects.filter(pk=goals.orphan.pk).update(status=Goal.Status.ACHIEVED)
    response = client.get("/goals/mine/")
    assert {g.title: g.due for g in response.context["goals"]}["Tidy the backlog"] is False
    assert re.search(r"last checked in\s*<time[^>]*>just now</time>", response.content.decode())
