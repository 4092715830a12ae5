"""The alignment tree: company goals down through every aligned goal, filters, periods,
goals aligned to nothing, and private goals kept from those who may not see them."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from roadmaps.models import Goal, Period
from roadmaps.services import goal_create

from .conftest import HX


def titles(response) -> list[str]:
    """The goal titles the tree shows, in page order (a goal under two parents twice)."""

    def walk(items):
        for item in items:
            yield item.goal.title
            yield from walk(item.children)

    return list(walk(response.context["rows"]))


def orphan_titles(response) -> set[str]:
    return {g.title for g in response.context["orphans"]}


def test_the_tree_runs_from_the_company_goal_down(client, cast, goals):
    client.force_login(cast.leader_user)
    response = client.get("/goals/alignment/")
    assert response.status_code == 200
    assert response.context["period"] == goals.company.period  # the current period
    [company] = response.context["rows"]
    assert company.goal == goals.company
    unit, support = company.children
    assert (unit.goal, unit.link_kind) == (goals.unit, "contributes")
    assert (support.goal, support.link_kind) == (goals.support, "supports")
    assert [(c.goal.title, c.link_kind) for c in unit.children] == [
        ("Secret pricing experiment", "contributes"),  # the leader manages its owner
        ("Ship one-click checkout", "contributes"),
    ]
    page = response.content.decode()
    # Supporting goals are marked as not counted, and drawn dashed.
    assert "atree__item--supports" in page and "Supports · not counted" in page
    # Owners with their initials, status and progress.
    assert 'class="avatar avatar--xs tone-' in page
    assert f'href="/goals/people/{cast.leader.pk}/"' in page
    assert '<span class="owner__name">Dana</span>' in page
    assert 'class="status status--at_risk"' in page
    assert 'role="progressbar"' in page and 'aria-label="Progress of Win the mid-market"' in page


def test_goals_aligned_to_nothing_are_listed_apart_with_a_call_to_action(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.get("/goals/alignment/")
    assert orphan_titles(response) == {"Tidy the backlog", "Private growth plan"}
    page = response.content.decode()
    assert "Not aligned to any goal" in page
    assert f'href="/goals/{goals.orphan.pk}/#alignment">Align it' in page
    # Someone who may not edit a goal is told whom to ask instead.
    client.force_login(cast.peer_user)
    page = client.get("/goals/alignment/").content.decode()
    assert "Ask Priya to align it" in page
    assert f'href="/goals/{goals.orphan.pk}/#alignment">Align it' not in page


def test_private_goals_never_reach_a_peer_outside_the_owners_chain(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/")
    assert "Secret pricing experiment" not in titles(response)
    assert "Private growth plan" not in orphan_titles(response)
    page = response.content.decode()
    assert "Secret pricing" not in page and "Private growth plan" not in page
    assert response.context["summary"]["total"] == 5
    # Not through the filters either.
    response = client.get("/goals/alignment/", {"owner": cast.report.pk}, **HX)
    assert "Secret pricing" not in response.content.decode()
    # Their owner and HR admins see them.
    for user in (cast.report_user, cast.hr_user):
        client.force_login(user)
        page = client.get("/goals/alignment/").content.decode()
        assert "Secret pricing experiment" in page and "Private growth plan" in page


def test_filters_keep_matching_goals_and_the_branches_leading_to_them(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/", {"product": goals.product.pk})
    assert titles(response) == [
        "Win the mid-market",
        "Double payments revenue",
        "Ship one-click checkout",
    ]
    assert response.context["summary"]["total"] == 1  # what matches, not the branch above
    # The goals above the match are marked as shown for context only.
    [company] = response.context["rows"]
    assert (company.context, company.children[0].context) == (True, True)
    assert company.children[0].children[0].context is False
    assert "gnode--context" in response.content.decode()
    assert orphan_titles(response) == set()
    response = client.get("/goals/alignment/", {"owner": cast.peer.pk})
    assert titles(response) == ["Win the mid-market", "Hire two PMs"]
    response = client.get(
        "/goals/alignment/",
        {"business_unit": cast.leader.business_unit_id, "owner": cast.report.pk},
    )
    assert titles(response) == [
        "Win the mid-market",
        "Double payments revenue",
        "Ship one-click checkout",
    ]
    # The filters offer what can match, and the export link carries them.
    response = client.get("/goals/alignment/", {"owner": cast.report.pk})
    assert cast.report in response.context["owners"]
    assert goals.product in response.context["products"]
    assert f"/goals/export.csv?period={goals.company.period_id}&amp;owner={cast.report.pk}" in (
        response.content.decode()
    )


def test_without_filters_no_goal_is_marked_as_context(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/")
    assert "gnode--context" not in response.content.decode()


def test_htmx_gets_only_the_results_on_the_same_url(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/", {"owner": cast.peer.pk}, **HX)
    page = response.content.decode()
    assert page.startswith('<section id="alignment-results"')
    assert "<html" not in page and "Business unit</label>" not in page
    assert 'id="alignment-status"' in page and 'hx-swap-oob="true"' in page
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]
    # The full page, with the filter form, on the same URL without htmx.
    page = client.get("/goals/alignment/", {"owner": cast.peer.pk}).content.decode()
    assert "<html" in page and 'hx-get="/goals/alignment/"' in page
    assert re.search(rf'<option value="{cast.peer.pk}" selected>Omar</option>', page)


def test_invalid_filters_are_ignored(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/", {"owner": "nope", "product": "999999"})
    assert response.status_code == 200
    assert response.context["is_filtered"] is False
    assert len(titles(response)) == 4


def test_a_no_match_filter_says_what_to_do(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/", {"owner": cast.subreport.pk})
    page = response.content.decode()
    assert response.context["rows"] == []
    assert "No goals match these filters" in page and "Clear filters" in page


def test_the_period_switcher_shows_another_period(client, cast, goals):
    today = timezone.localdate()
    earlier = Period.objects.create(
        name="Last quarter",
        kind=Period.Kind.QUARTER,
        start=today - dt.timedelta(days=200),
        end=today - dt.timedelta(days=100),
    )
    goal_create(title="Old company goal", level=Goal.Level.COMPANY, owner=cast.top, period=earlier)
    client.force_login(cast.peer_user)
    page = client.get("/goals/alignment/").content.decode()
    assert "Old company goal" not in page
    assert f'<option value="{earlier.pk}">Last quarter' in page
    assert "data-autosubmit" in page and "data-autosubmit-button" in page
    response = client.get("/goals/alignment/", {"period": earlier.pk})
    assert titles(response) == ["Old company goal"]
    assert "Last quarter" in response.content.decode()


def test_empty_states_say_what_to_do_next(client, cast, period):
    client.force_login(cast.peer_user)
    page = client.get("/goals/alignment/").content.decode()
    assert "No goals in this period yet" in page and "Start with the company goals" in page
    goal_create(title="Stray", level=Goal.Level.TEAM, owner=cast.peer, period=period)
    page = client.get("/goals/alignment/").content.decode()
    assert "No company goals in this period" in page and "Stray" in page
    Goal.objects.all().delete()
    Period.objects.all().delete()
    page = client.get("/goals/alignment/").content.decode()
    assert "No planning periods yet" in page and "Ask an HR admin" in page
    client.force_login(cast.hr_user)
    page = client.get("/goals/alignment/").content.decode()
    assert 'href="/admin/"' in page and "Open the admin" in page


def test_a_long_tree_is_cut_breadth_first_with_the_rest_counted(client, cast, period, goals):
    from roadmaps.models import GoalLink
    from roadmaps.views import tree as views

    children = Goal.objects.bulk_create(
        Goal(title=f"Child {n:03d}", level=Goal.Level.TEAM, period=period, owner=cast.peer)
        for n in range(views.ALIGNMENT_NODE_BUDGET + 20)
    )
    GoalLink.objects.bulk_create(GoalLink(child=c, parent=goals.company) for c in children)
    client.force_login(cast.peer_user)
    response = client.get("/goals/alignment/")
    assert len(titles(response)) == views.ALIGNMENT_NODE_BUDGET
    left_out = response.context["left_out"]
    # the company goal, its unit and supporting goals, the team goal, and the children
    assert left_out == 1 + len(children) + 3 - views.ALIGNMENT_NODE_BUDGET
    page = response.content.decode()
    assert f"{left_out} entries are not shown" in page
    assert f"{left_out} more aligned entries" in page
