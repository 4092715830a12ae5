"""Who may open whose dashboard: the leader, anyone above them and HR admins; anybody
else gets 404, and anonymous visitors are sent to sign in."""

from __future__ import annotations

import pytest


def test_anonymous_visitors_are_sent_to_sign_in(client, cast, period):
    for url in ("/dashboard/", f"/dashboard/{cast.leader.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"] or "login" in response["Location"]


def test_my_dashboard_is_my_own_subtree(client, cast, period, portfolio):
    client.force_login(cast.leader_user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["leader"] == cast.leader
    assert b"Your organisation" in response.content


@pytest.mark.parametrize(
    "viewer, target, status",
    [
        ("leader", "leader", 200),  # themself
        ("leader", "report", 200),  # someone below
        ("top", "leader", 200),  # the CPO above
        ("top", "peer", 200),
        ("hr", "peer", 200),  # HR admins see anyone's
        ("peer", "leader", 404),  # a peer in another branch
        ("report", "leader", 404),  # a report never sees their manager's
        ("outsider", "leader", 404),  # a login with no person
    ],
)
def test_who_may_open_a_leaders_dashboard(client, cast, period, viewer, target, status):
    users = {
        "leader": cast.leader_user,
        "report": cast.report_user,
        "top": cast.top.user,
        "peer": cast.peer_user,
        "hr": cast.hr_user,
        "outsider": cast.outsider_user,
    }
    client.force_login(users[viewer])
    person = getattr(cast, target)
    for suffix in ("", "print/", "export.csv?table=products"):
        response = client.get(f"/dashboard/{person.pk}/{suffix}")
        assert response.status_code == status, (viewer, target, suffix)


def test_the_cpo_and_hr_pick_any_leader_from_the_picker(client, cast, period):
    client.force_login(cast.top.user)
    response = client.get(f"/dashboard/{cast.top.pk}/")
    offered = {p.pk for p in response.context["leaders"]}
    # Everyone with reports under the CPO, the CPO included.
    assert offered == {cast.top.pk, cast.leader.pk, cast.report.pk}
    assert b'id="dash-leader"' in response.content
    response = client.get(f"/dashboard/{cast.top.pk}/", {"leader": cast.report.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/dashboard/{cast.report.pk}/")

    client.force_login(cast.hr_user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert {p.pk for p in response.context["leaders"]} == offered
    response = client.get("/dashboard/", {"leader": cast.peer.pk})
    assert response["Location"] == f"/dashboard/{cast.peer.pk}/"


def test_a_leader_picks_only_within_their_subtree(client, cast, period):
    client.force_login(cast.leader_user)
    response = client.get("/dashboard/")
    assert {p.pk for p in response.context["leaders"]} == {cast.leader.pk, cast.report.pk}
    # Asking for someone outside still answers 404 after the redirect.
    response = client.get("/dashboard/", {"leader": cast.peer.pk}, follow=True)
    assert response.status_code == 404


def test_a_login_with_no_person_and_no_hr_rights_has_no_dashboard(client, cast, period):
    client.force_login(cast.outsider_user)
    assert client.get("/dashboard/").status_code == 404
