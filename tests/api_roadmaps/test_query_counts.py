"""Every list of the goals API answers with the same number of queries for 50 goals or
5,000 (and their products, links, key results, check-ins, roadmap items and visions).

Every row is built with each relation it shows filled in (owner, product, unit, team,
period, metric, author, goals served), so a missing ``select_related`` or prefetch
would show up as one query per row of the page.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from roadmaps.models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    Metric,
    Product,
    RoadmapItem,
    Vision,
)
from roles.models import Person
from tests.conftest import build_org

SIZES = [50, 5000]


def _portfolio(*, goals: int, period) -> list[Goal]:
    """``goals`` goals (a fifth private) in a tree ten wide, each with a key result on a
    metric and a check-in; a product per ten goals with a vision and a roadmap item
    serving two goals. Everything is bulk-created."""
    root = build_org(size=max(20, goals // 50))
    people = list(Person.objects.filter(business_unit=root.business_unit).order_by("pk"))
    unit, team, now = root.business_unit, root.team, timezone.now()
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {i}",
            slug=f"product-{goals}-{i}",
            business_unit=unit,
            team=team,
            owner=people[i % len(people)],
            stage_changed_at=now,
        )
        for i in range(goals // 10)
    )
    created = Goal.objects.bulk_create(
        Goal(
            title=f"Goal {i}",
            level=Goal.Level.TEAM,
            owner=people[i % len(people)],
            product=products[i % len(products)],
            business_unit=unit,
            team=team,
            period=period,
            visibility=Goal.Visibility.PRIVATE if i % 5 == 0 else Goal.Visibility.PUBLIC,
        )
        for i in range(goals)
    )
    GoalLink.objects.bulk_create(
        GoalLink(child=created[i], parent=created[(i - 1) // 10]) for i in range(1, goals)
    )
    metrics = Metric.objects.bulk_create(
        Metric(key=f"metric-{goals}-{i}", name=f"Metric {i}") for i in range(10)
    )
    key_results = KeyResult.objects.bulk_create(
        KeyResult(goal=goal, title=f"KR {i}", target_value=10, metric=metrics[i % 10])
        for i, goal in enumerate(created)
    )
    CheckIn.objects.bulk_create(
        CheckIn(key_result=kr, author=people[i % len(people)], value=i % 10, created_at=now)
        for i, kr in enumerate(key_results)
    )
    items = RoadmapItem.objects.bulk_create(
        RoadmapItem(
            product=product,
            title=f"Item {i}",
            horizon=RoadmapItem.Horizon.NOW,
            target_period=period,
            owner=people[i % len(people)],
        )
        for i, product in enumerate(products)
    )
    RoadmapItem.goals.through.objects.bulk_create(
        RoadmapItem.goals.through(roadmapitem=item, goal=created[(2 * i + k) % goals])
        for i, item in enumerate(items)
        for k in range(2)
    )
    Vision.objects.bulk_create(
        Vision(scope=Vision.Scope.PRODUCT, product=product, statement=f"Vision {i}")
        for i, product in enumerate(products)
    )
    return created


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-goals")
def portfolio(request, cast, quarter) -> list[Goal]:
    return _portfolio(goals=request.param, period=quarter)


# Every request of a signed-in member starts and ends the same way:
#   SAVEPOINT … RELEASE of ATOMIC_REQUESTS (2), the session row (1), the user (1).
BASE = 4
# Then, once per request, what goal visibility and edit rights need (cached on the user):
#   1. HR admin group membership   2. user.person   3. the viewer's subtree (reporting-line closure)
VIEWER = 3


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        # COUNT(*) for the pagination, then the page with owner, product, unit, team and
        # period joined; the visibility rule is a WHERE clause of both.
        ("/api/v1/goals/", 0),
        # The same two queries with business unit, team and owner joined.
        ("/api/v1/products/", 0),
        # The same two queries with goal and metric joined; visibility on the goal.
        ("/api/v1/key-results/", 0),
        # The same two queries with key result, its goal and the author joined.
        ("/api/v1/check-ins/", 0),
        # The same two queries with both goals joined; both must be visible.
        ("/api/v1/goal-links/", 0),
        # The same two queries with product, period and owner joined,
        # 3. the visible goals each item serves, for the whole page at once (prefetch).
        ("/api/v1/roadmap-items/", 1),
        # The same two queries with the subject joined and the versions counted inside.
        ("/api/v1/visions/", 0),
    ],
)
def test_a_list_page(client_for, cast, portfolio, url, extra, django_assert_num_queries):
    client = client_for(cast.report_user)
    with django_assert_num_queries(BASE + VIEWER + 2 + extra):
        response = client.get(url + "?page_size=500")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == min(500, body["count"])
    assert body["count"] >= len(portfolio) // 10


def test_the_goals_list_for_hr(client_for, cast, portfolio, django_assert_num_queries):
    client = client_for(cast.hr_user)
    # BASE, 1. HR admin group membership (HR sees every goal: no subtree to compute),
    # 2. COUNT(*)   3. the page with its joins
    with django_assert_num_queries(BASE + 3):
        response = client.get("/api/v1/goals/?page_size=500")
    assert response.json()["count"] == len(portfolio)  # private ones included


def test_filtered_and_searched_goals(
    client_for, cast, portfolio, quarter, django_assert_num_queries
):
    client = client_for(cast.report_user)
    owner = portfolio[1].owner_id
    url = f"/api/v1/goals/?period={quarter.pk}&owner={owner}&search=goal&ordering=-progress"
    # BASE, VIEWER, 1. the period exists   2. the owner exists (filter validation),
    # 3. COUNT(*)   4. the page
    with django_assert_num_queries(BASE + VIEWER + 4):
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] > 0


def test_one_goal_and_its_progress_explanation(
    client_for, cast, portfolio, django_assert_num_queries
):
    client = client_for(cast.report_user)
    top = portfolio[1]  # public, with ten children (two of them private)
    # BASE, VIEWER, 1. the goal with its joins
    with django_assert_num_queries(BASE + VIEWER + 1):
        assert client.get(f"/api/v1/goals/{top.pk}/").status_code == 200
    # BASE, VIEWER, 1. the goal, then the explanation: 2. its key results
    # 3. which of its children the viewer may see   4. its links with their child goals
    with django_assert_num_queries(BASE + VIEWER + 4):
        response = client.get(f"/api/v1/goals/{top.pk}/progress-explanation/")
    terms = response.json()["terms"]
    assert len(terms) == 11 and sum(t["hidden"] for t in terms) == 2
