"""The goal page: numbers, key results with their check-in chart, "why this number?",
links up and down with their kinds, aligning a goal; 404 for a private goal a viewer
may not see."""

from __future__ import annotations

import re
from decimal import Decimal as D

from roadmaps.models import Goal, GoalLink
from roadmaps.services import check_in_create


def test_the_goal_page_shows_its_numbers_and_how_they_were_computed(client, cast, goals):
    check_in_create(key_result=goals.kr, author=cast.report, value=30, confidence=6, note="Good")
    check_in_create(key_result=goals.kr2, author=cast.report, value=55)
    client.force_login(cast.peer_user)
    response = client.get(f"/goals/{goals.team.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Ship one-click checkout</h1>" in page
    assert 'class="status status--on_track"' in page
    assert '<p class="bignum">63%</p>' in page  # (75% + 50%) ÷ 2 = 62.5%
    assert "<span>Confidence 6/10</span>" in page  # the latest confidence given
    # Why this number: each term with its progress, weight, share and contribution.
    assert "Why 62.5%?" in page
    rows = re.findall(r"<tr(?: class=\"is-muted\")?>(.*?)</tr>", page, re.S)
    merchants = next(r for r in rows if "Merchants on one-click" in r)
    assert re.search(
        r">75%</td>\s*<td[^>]*>1</td>\s*<td[^>]*>50%</td>\s*<td[^>]*>37.5 pts", merchants
    )
    assert "<code>(75% × 1 + 50% × 1) ÷ 2 = 62.5%</code>" in page
    # The check-in history as an accessible chart, with the readings in a table.
    assert re.search(
        r'<svg class="chart"[^>]*role="img"[^>]*aria-label="Check-ins of Merchants', page
    )
    assert "latest 30 merchants" in page
    assert "<caption>Check-ins of Merchants on one-click, newest first</caption>" in page
    assert "<strong>Priya</strong> checked in <strong>30 merchants</strong>" in page
    assert '<p class="feed__note">Good</p>' in page


def test_links_up_and_down_name_their_kind(client, cast, goals):
    client.force_login(cast.report_user)
    page = client.get(f"/goals/{goals.company.pk}/").content.decode()
    assert "A company goal: the top of the tree." in page
    assert "Contributes · weight 2" in page and "Double payments revenue" in page
    assert "Supports · not counted" in page and "Hire two PMs" in page
    # The supporting goal is listed in the breakdown but not counted.
    response = client.get(f"/goals/{goals.company.pk}/")
    terms = {t.title: t for t in response.context["explanation"].terms}
    assert terms["Hire two PMs"].counted is False
    assert re.search(r"Supporting goal</span>\s*<a[^>]*>Hire two PMs</a>", page)
    page = client.get(f"/goals/{goals.team.pk}/").content.decode()
    assert "Aligns to" in page and f'href="/goals/{goals.unit.pk}/">Double payments' in page


def test_a_private_goal_is_not_found_by_a_peer(client, cast, goals):
    client.force_login(cast.peer_user)
    assert client.get(f"/goals/{goals.private.pk}/").status_code == 404
    assert client.get("/goals/999999/").status_code == 404
    for user in (cast.report_user, cast.leader_user, cast.top.user, cast.hr_user):
        client.force_login(user)
        assert client.get(f"/goals/{goals.private.pk}/").status_code == 200


def test_a_private_child_goal_is_shown_without_its_title(client, cast, goals):
    client.force_login(cast.peer_user)
    page = client.get(f"/goals/{goals.unit.pk}/").content.decode()
    assert "Secret pricing" not in page
    assert page.count("A private goal") == 2  # in the breakdown and in the links down
    assert f'href="/goals/{goals.private.pk}/"' not in page


def test_the_owner_aligns_a_goal_aligned_to_nothing(client, cast, goals):
    client.force_login(cast.report_user)
    page = client.get(f"/goals/{goals.orphan.pk}/").content.decode()
    assert '<details class="alignform" open>' in page
    assert f'<option value="{goals.unit.pk}">Double payments revenue</option>' in page
    response = client.post(
        f"/goals/{goals.orphan.pk}/align/",
        {"parent": goals.unit.pk, "kind": "contributes", "weight": "1.5"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/goals/{goals.orphan.pk}/#alignment"
    link = GoalLink.objects.get(child=goals.orphan)
    assert (link.parent, link.kind, link.weight) == (goals.unit, "contributes", D("1.5"))
    page = client.get(response["Location"]).content.decode()
    assert "“Tidy the backlog” now aligns to “Double payments revenue”." in page


def test_aligning_refuses_bad_input_inline(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.post(
        f"/goals/{goals.orphan.pk}/align/", {"parent": "", "kind": "contributes", "weight": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="align-parent-error">Choose a goal.</p>' in page
    assert 'id="align-weight-error">Enter a number.</p>' in page
    assert 'aria-describedby="align-weight-help align-weight-error"' in page
    # A goal that is not offered (private to someone else, or a lower level) is refused.
    response = client.post(
        f"/goals/{goals.orphan.pk}/align/",
        {"parent": goals.private_orphan.pk, "kind": "supports", "weight": "1"},
    )
    assert response.status_code == 400
    assert not GoalLink.objects.filter(child=goals.orphan).exists()


def test_a_cycle_is_refused_next_to_the_parent(client, cast, goals):
    # The unit goal may not align to a goal that already aligns to it.
    Goal.objects.filter(pk=goals.team.pk).update(level=Goal.Level.COMPANY)
    client.force_login(cast.leader_user)
    response = client.post(
        f"/goals/{goals.unit.pk}/align/",
        {"parent": goals.team.pk, "kind": "supports", "weight": "1"},
    )
    assert response.status_code == 400
    assert "this link would form a cycle" in response.content.decode()


def test_only_editors_align_a_goal(client, cast, goals):
    client.force_login(cast.peer_user)
    page = client.get(f"/goals/{goals.orphan.pk}/").content.decode()
    assert "Align to a goal" not in page and ">Check in</a>" not in page
    response = client.post(
        f"/goals/{goals.orphan.pk}/align/", {"parent": goals.unit.pk, "kind": "contributes"}
    )
    assert response.status_code == 403
    assert client.post(f"/goals/{goals.private.pk}/align/", {}).status_code == 404
