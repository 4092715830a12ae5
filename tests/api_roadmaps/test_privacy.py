"""A private goal never leaks to a peer outside the owner's chain: not in a list, a
detail, a filter, a search, nor through its key results, check-ins, links, roadmap
items or a public parent's progress explanation.

Sam's private goal contributes to Priya's public team goal (see conftest.py). Omar (a
peer in another branch) and a login without a person may not see it; Sam, his chain
(Priya, Dana, Carla) and HR may.
"""

from __future__ import annotations

import pytest

from roadmaps.models import Goal, GoalLink, RoadmapItem
from roadmaps.services import goal_create, roadmap_item_save

from .conftest import PRIVATE_TITLE, assert_error, ids, results, user_of

HIDDEN_FROM = ["peer", "outsider_user"]
SEEN_BY = ["subreport", "report", "leader", "top", "hr_user"]


@pytest.fixture
def as_peer(client_for, cast):
    return client_for(cast.peer_user)


@pytest.mark.parametrize("who", SEEN_BY)
def test_the_owner_their_chain_and_hr_see_the_private_goal(client_for, cast, world, who):
    client = client_for(user_of(cast, who))
    assert world.private.pk in ids(client.get("/api/v1/goals/?page_size=500"))
    detail = client.get(f"/api/v1/goals/{world.private.pk}/")
    assert detail.status_code == 200 and detail.json()["title"] == PRIVATE_TITLE
    assert world.private_key_result.pk in ids(client.get("/api/v1/key-results/"))
    assert world.private_check_in.pk in ids(client.get("/api/v1/check-ins/"))


@pytest.mark.parametrize("who", HIDDEN_FROM)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/goals/?page_size=500",
        "/api/v1/goals/?search=search",
        "/api/v1/goals/?visibility=private",
        "/api/v1/goals/?owner={subreport}",
        "/api/v1/goals/?under={leader}",
        "/api/v1/goals/?level=individual",
        "/api/v1/key-results/",
        "/api/v1/check-ins/",
        "/api/v1/check-ins/?author={subreport}",
        "/api/v1/goal-links/",
        "/api/v1/goal-links/?parent={team}",
        "/api/v1/roadmap-items/",
    ],
)
def test_no_list_filter_or_search_shows_it(client_for, cast, world, who, url):
    client = client_for(user_of(cast, who))
    url = url.format(
        subreport=cast.subreport.pk, leader=cast.leader.pk, team=world.goals["team"].pk
    )
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert PRIVATE_TITLE not in body
    assert "Search interviews done" not in body  # the private goal's key result
    for row in results(response):
        assert world.private.pk not in (
            row.get("goal"),
            row.get("child"),
            row.get("parent"),
            row["id"] if "/goals/" in url else None,
        )
        assert world.private.pk not in row.get("goals", [])


def test_the_lists_still_show_everything_public(as_peer, world):
    goal_ids = ids(as_peer.get("/api/v1/goals/"))
    assert sorted(goal_ids) == sorted(g.pk for g in world.goals.values())
    assert ids(as_peer.get("/api/v1/key-results/")) == [world.key_result.pk]
    assert ids(as_peer.get("/api/v1/check-ins/")) == [world.check_in.pk]
    [item] = results(as_peer.get("/api/v1/roadmap-items/"))
    assert item["goals"] == [world.goals["team"].pk]


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_every_door_to_the_private_goal_answers_404(client_for, cast, world, who):
    client = client_for(user_of(cast, who))
    private_link = GoalLink.objects.get(child=world.private)
    for url in (
        f"/api/v1/goals/{world.private.pk}/",
        f"/api/v1/goals/{world.private.pk}/progress-explanation/",
        f"/api/v1/key-results/{world.private_key_result.pk}/",
        f"/api/v1/check-ins/{world.private_check_in.pk}/",
        f"/api/v1/goal-links/{private_link.pk}/",
    ):
        error = assert_error(client.get(url), 404, "not_found")
        assert PRIVATE_TITLE not in error["message"]
    # Writes answer 404 too, not 403: a 403 would confirm the goal exists.
    goal_url = f"/api/v1/goals/{world.private.pk}/"
    assert_error(client.patch(goal_url, {"title": "Mine now"}), 404)
    assert_error(client.delete(goal_url), 404)
    assert_error(client.delete(f"/api/v1/key-results/{world.private_key_result.pk}/"), 404)
    assert_error(client.delete(f"/api/v1/goal-links/{private_link.pk}/"), 404)
    assert Goal.objects.get(pk=world.private.pk).title == PRIVATE_TITLE


def test_a_hidden_goal_is_refused_like_one_that_does_not_exist(as_peer, cast, world, quarter):
    """Filters and payloads naming the private goal answer exactly as for a made-up id."""
    own = goal_create(title="Omar's goal", level="team", owner=cast.peer, period=quarter)
    missing = Goal.objects.order_by("-pk").first().pk + 1000

    def answer(goal_id):
        responses = [
            as_peer.get(f"/api/v1/key-results/?goal={goal_id}"),
            as_peer.get(f"/api/v1/check-ins/?goal={goal_id}"),
            as_peer.get(f"/api/v1/goal-links/?child={goal_id}"),
            as_peer.get(f"/api/v1/roadmap-items/?goal={goal_id}"),
            as_peer.post(
                "/api/v1/goal-links/", {"child": own.pk, "parent": goal_id}, format="json"
            ),
            as_peer.post(
                "/api/v1/key-results/",
                {"goal": goal_id, "title": "KR", "target_value": "1"},
                format="json",
            ),
        ]
        return [(r.status_code, str(r.json()).replace(str(goal_id), "<id>")) for r in responses]

    hidden = answer(world.private.pk)
    assert hidden == answer(missing)
    assert all(status == 400 for status, _ in hidden)
    kr_hidden = as_peer.post(
        "/api/v1/check-ins/", {"key_result": world.private_key_result.pk, "value": 1}
    )
    kr_missing = as_peer.post("/api/v1/check-ins/", {"key_result": missing, "value": 1})
    assert kr_hidden.status_code == kr_missing.status_code == 400
    assert str(kr_hidden.json()).replace(str(world.private_key_result.pk), "<id>") == str(
        kr_missing.json()
    ).replace(str(missing), "<id>")


def test_a_public_parent_explains_its_progress_without_naming_the_private_child(
    as_peer, client_for, cast, world
):
    url = f"/api/v1/goals/{world.goals['team'].pk}/progress-explanation/"
    response = as_peer.get(url)
    assert response.status_code == 200
    assert PRIVATE_TITLE not in response.content.decode()
    terms = response.json()["terms"]
    [hidden] = [t for t in terms if t["hidden"]]
    assert hidden["id"] is None and hidden["title"] is None
    assert hidden["kind"] == "goal" and hidden["counted"] is True
    assert hidden["progress"] == "50.00"  # it still counts: the number must add up
    # Priya, whose report owns it, sees the same term with its title.
    mine = client_for(cast.report_user).get(url).json()["terms"]
    [named] = [t for t in mine if t["kind"] == "goal"]
    assert named == {**hidden, "id": world.private.pk, "title": PRIVATE_TITLE, "hidden": False}


def test_editing_a_roadmap_item_keeps_goals_the_editor_cannot_see(client_for, cast, world, quarter):
    """Priya may change her product's roadmap but not see Omar's private goal it serves;
    replacing the goals she sees must not silently drop his."""
    omars = goal_create(
        title="Omar's private bet",
        level="individual",
        owner=cast.peer,
        period=quarter,
        visibility="private",
    )
    roadmap_item_save(item=world.item, goals=[world.goals["team"], world.private, omars])
    url = f"/api/v1/roadmap-items/{world.item.pk}/"
    client = client_for(cast.report_user)
    assert sorted(client.get(url).json()["goals"]) == sorted(
        [world.goals["team"].pk, world.private.pk]
    )
    response = client.patch(url, {"goals": [world.goals["unit"].pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["goals"] == [world.goals["unit"].pk]
    stored = set(RoadmapItem.objects.get(pk=world.item.pk).goals.values_list("pk", flat=True))
    assert stored == {world.goals["unit"].pk, omars.pk}


def test_a_peer_cannot_align_a_goal_to_a_private_one(as_peer, cast, world, quarter):
    own = goal_create(title="Omar's goal", level="team", owner=cast.peer, period=quarter)
    response = as_peer.post(
        "/api/v1/goal-links/", {"child": own.pk, "parent": world.private.pk}, format="json"
    )
    assert "parent" in assert_error(response, 400, "invalid")["fields"]
    assert not GoalLink.objects.filter(child=own).exists()
