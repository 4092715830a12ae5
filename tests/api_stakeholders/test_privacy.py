"""What hangs off a private goal, private reviews and other people's notifications never
leak: not in a list, a detail, a filter, a search, a write or a payload.

See conftest.py for who is who. Sam's private goal has Mia's alignment, a decision and
a check-in review: Omar (a peer in another branch) and a login without a person may not
see them; Sam, his chain (Priya, Dana, Carla) and HR may.
"""

from __future__ import annotations

import pytest

from stakeholders.models import Alignment, Decision, Notification, Review

from .conftest import ONE_TO_ONE, PRIVATE_DECISION, assert_error, ids, results, user_of

HIDDEN_FROM = ["peer", "outsider_user"]
SEEN_BY = ["subreport", "report", "leader", "top", "hr_user"]


def _private_rows(stakes) -> dict[str, int]:
    return {
        "alignments": stakes.mia_on_private_goal.pk,
        "decisions": stakes.private_decision.pk,
        "reviews": stakes.private_goal_review.pk,
    }


# --- the private goal ------------------------------------------------------------------


@pytest.mark.parametrize("who", SEEN_BY)
def test_the_goals_owner_their_chain_and_hr_see_what_hangs_off_it(client_for, cast, stakes, who):
    client = client_for(user_of(cast, who))
    for path, pk in _private_rows(stakes).items():
        assert pk in ids(client.get(f"/api/v1/{path}/?page_size=500")), path
        assert client.get(f"/api/v1/{path}/{pk}/").status_code == 200, path


@pytest.mark.parametrize("who", HIDDEN_FROM)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/alignments/?page_size=500",
        "/api/v1/alignments/?status=blocking",
        "/api/v1/alignments/?stakeholder={mia}",
        "/api/v1/alignments/?under={leader}",
        "/api/v1/alignments/?overdue=false",
        "/api/v1/decisions/?page_size=500",
        "/api/v1/decisions/?search=search",
        "/api/v1/decisions/?search=pause",
        "/api/v1/decisions/?decided_by={subreport}",
        "/api/v1/reviews/?page_size=500",
        "/api/v1/reviews/?owner={subreport}",
        "/api/v1/reviews/?kind=goal_check_in",
        "/api/v1/reviews/?under={leader}",
    ],
)
def test_no_list_filter_or_search_shows_it(client_for, cast, stakes, who, url):
    client = client_for(user_of(cast, who))
    url = url.format(mia=stakes.mia.pk, leader=cast.leader.pk, subreport=cast.subreport.pk)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert PRIVATE_DECISION not in body
    assert "Wants the search move" not in body  # the note of Mia's alignment on it
    assert "the search move" not in body  # the title of its check-in review
    path = url.split("/")[3]
    for row in results(response):
        assert row.get("goal") != stakes.world.private.pk
        assert row["id"] != _private_rows(stakes)[path]


def test_the_lists_still_show_everything_else(client_for, cast, stakes):
    omar = client_for(cast.peer_user)
    assert sorted(ids(omar.get("/api/v1/alignments/"))) == sorted(
        [stakes.omar_on_checkout.pk, stakes.mia_on_team_goal.pk]
    )
    assert ids(omar.get("/api/v1/decisions/")) == [stakes.decision.pk]
    # The QBR and the career review he takes part in; not the one-to-one, not the goal's.
    assert sorted(ids(omar.get("/api/v1/reviews/"))) == sorted(
        [stakes.business_review.pk, stakes.career_review.pk]
    )


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_every_door_answers_404_and_changes_nothing(client_for, cast, stakes, who):
    client = client_for(user_of(cast, who))
    for path, pk in _private_rows(stakes).items():
        url = f"/api/v1/{path}/{pk}/"
        error = assert_error(client.get(url), 404, "not_found")
        assert PRIVATE_DECISION not in error["message"]
        # Writes answer 404 too, not 403: a 403 would confirm it exists.
        assert_error(client.patch(url, {"title": "Mine", "note": "Mine"}), 404)
        assert_error(client.delete(url), 404)
    confirm = f"/api/v1/alignments/{stakes.mia_on_private_goal.pk}/confirm/"
    assert_error(client.post(confirm, {"status": "aligned"}), 404)
    complete = f"/api/v1/reviews/{stakes.private_goal_review.pk}/complete/"
    assert_error(client.post(complete, {}), 404)
    assert Alignment.objects.get(pk=stakes.mia_on_private_goal.pk).status == "blocking"
    assert Decision.objects.get(pk=stakes.private_decision.pk).title == PRIVATE_DECISION
    assert Review.objects.get(pk=stakes.private_goal_review.pk).status == "scheduled"


def test_a_hidden_goal_is_refused_like_one_that_does_not_exist(client_for, cast, stakes):
    """Filters and payloads naming the private goal answer exactly as for a made-up id."""
    omar = client_for(cast.peer_user)
    private = stakes.world.private.pk
    missing = private + 1000

    def answer(goal_id):
        responses = [
            omar.get(f"/api/v1/alignments/?goal={goal_id}"),
            omar.get(f"/api/v1/reviews/?goal={goal_id}"),
            omar.get(f"/api/v1/decisions/?goal={goal_id}"),
            omar.post(
                "/api/v1/alignments/",
                {"stakeholder": stakes.omar.pk, "goal": goal_id},
                format="json",
            ),
            omar.post(
                "/api/v1/reviews/",
                {
                    "kind": "goal_check_in",
                    "title": "T",
                    "goal": goal_id,
                    "due_at": "2026-12-01T09:00Z",
                },
                format="json",
            ),
            omar.post(
                "/api/v1/decisions/",
                {"title": "T", "decision": "D", "goal": goal_id},
                format="json",
            ),
        ]
        return [(r.status_code, str(r.json()).replace(str(goal_id), "<id>")) for r in responses]

    hidden = answer(private)
    assert hidden == answer(missing)
    assert all(status == 400 for status, _ in hidden)


def test_a_decision_moved_onto_a_private_goal_disappears_for_the_peer(client_for, cast, stakes):
    """Priya may see Sam's private goal and link her product's decision to it; from then
    on Omar no longer sees the decision."""
    priya = client_for(cast.report_user)
    url = f"/api/v1/decisions/{stakes.decision.pk}/"
    response = priya.patch(url, {"goal": stakes.world.private.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert_error(client_for(cast.peer_user).get(url), 404)


# --- private reviews ---------------------------------------------------------------------

# review -> who sees it (everyone else gets 404)
PRIVATE_REVIEWS = {
    # Dana's one-to-one with Priya: Priya (about her), Dana (owner), Carla (Dana's chain).
    "one_to_one": {"report", "leader", "top", "hr_user"},
    # Carla's career review about Sam, with Omar taking part.
    "career_review": {"subreport", "report", "leader", "top", "peer", "hr_user"},
}
CAST = ["top", "leader", "report", "subreport", "peer", "outsider_user", "hr_user"]


@pytest.mark.parametrize("review", PRIVATE_REVIEWS)
@pytest.mark.parametrize("who", CAST)
def test_private_reviews_are_seen_by_the_person_owner_participants_chains_and_hr(
    client_for, cast, stakes, review, who
):
    obj = getattr(stakes, review)
    client = client_for(user_of(cast, who))
    listed = obj.pk in ids(client.get("/api/v1/reviews/?page_size=500"))
    detail = client.get(f"/api/v1/reviews/{obj.pk}/")
    if who in PRIVATE_REVIEWS[review]:
        assert listed and detail.status_code == 200
        assert detail.json()["private"] is True
    else:
        assert not listed
        assert_error(detail, 404)
        assert obj.title not in client.get(f"/api/v1/reviews/?search={obj.title}").content.decode()


@pytest.mark.parametrize("who", ["subreport", "peer", "outsider_user"])
def test_no_filter_shows_a_one_to_one_to_those_outside_it(client_for, cast, stakes, who):
    client = client_for(user_of(cast, who))
    for query in (
        "kind=one_to_one",
        f"person={cast.report.pk}",
        f"owner={cast.leader.pk}",
        f"under={cast.top.pk}",
    ):
        response = client.get(f"/api/v1/reviews/?{query}")
        assert response.status_code == 200
        assert ONE_TO_ONE not in response.content.decode(), query


def test_any_review_about_a_person_is_private_whatever_its_kind(client_for, cast, stakes):
    """A "stakeholder sync" about Priya is hers and her chain's, like a one-to-one."""
    dana = client_for(cast.leader_user)
    response = dana.post(
        "/api/v1/reviews/",
        {
            "kind": "stakeholder_sync",
            "title": "How Priya handles the bank",
            "person": cast.report.pk,
            "due_at": "2026-12-01T09:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["private"] is True
    url = f"/api/v1/reviews/{response.json()['id']}/"
    assert client_for(cast.report_user).get(url).status_code == 200
    assert_error(client_for(cast.peer_user).get(url), 404)
    assert_error(client_for(cast.subreport.user).get(url), 404)


# --- notifications -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["top", "leader", "peer", "subreport", "outsider_user", "hr_user"])
def test_notifications_are_only_ever_seen_by_their_recipient(client_for, cast, stakes, who):
    client = client_for(user_of(cast, who))
    listed = ids(client.get("/api/v1/notifications/?page_size=500"))
    assert not set(listed) & {n.pk for n in stakes.priyas}
    for notification in stakes.priyas:
        url = f"/api/v1/notifications/{notification.pk}/"
        assert_error(client.get(url), 404, "not_found")
        assert_error(client.post(url + "read/"), 404, "not_found")
    client.post("/api/v1/notifications/read-all/")
    assert not Notification.objects.filter(recipient=cast.report, read_at__isnull=False).exists()


def test_the_recipient_sees_exactly_their_own(client_for, cast, stakes):
    assert sorted(ids(client_for(cast.report_user).get("/api/v1/notifications/"))) == sorted(
        n.pk for n in stakes.priyas
    )
    assert ids(client_for(cast.peer_user).get("/api/v1/notifications/")) == [stakes.omars.pk]
    assert ids(client_for(cast.outsider_user).get("/api/v1/notifications/")) == []
