"""The goal and product pages run the same number of queries for 50 goals as for 5,000,
and the goal page the same for 2 check-ins as for 200.

Subtrees are read from the reporting-line closure and unit trees with recursive CTEs,
lists with their relations joined or
prefetched, never per row. Each list below names its queries in the order they run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from roadmaps.models import CheckIn, Goal, GoalLink, KeyResult, Product
from roadmaps.services import check_in_create

from .conftest import HX

# Every signed-in request starts and ends the same way.
REQUEST_START = 3  # session row, user row, SAVEPOINT (ATOMIC_REQUESTS)
REQUEST_END = 1  # RELEASE SAVEPOINT
BELL = 1  # the header bell: COUNT of unread notifications (context processor)
# The viewer, as goal visibility needs them (then cached on the request's user).
VIEWER = (
    1  # HR admin group membership
    + 1  # the viewer's Person (user.person; reused by the context processor)
    + 1  # the ids of the viewer and everyone under them (reporting-line closure)
)


@pytest.fixture(params=[50, 5000], ids=["50-goals", "5000-goals"])
def many(request, cast, period, client):
    """``size`` goals in the period (bulk-created): five company goals, the rest aligned
    four to a parent, one in ten supporting, one in twenty aligned to nothing, one in
    seven private; a tenth owned by ``report`` (signed in), each with a key result; and
    a product for every ten goals."""
    size = request.param
    owners = [cast.top, cast.leader, cast.report, cast.subreport, cast.peer]
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {n:04d}",
            slug=f"product-{n}",
            business_unit=cast.report.business_unit,
            owner=owners[n % len(owners)],
        )
        for n in range(size // 10)
    )
    made = Goal.objects.bulk_create(
        Goal(
            title=f"Goal {n:05d}",
            level=Goal.Level.COMPANY if n < 5 else Goal.Level.TEAM,
            owner=cast.report if n % 10 == 0 else owners[n % len(owners)],
            period=period,
            product=products[n % len(products)] if n % 3 == 0 else None,
            business_unit=cast.report.business_unit if n % 2 else None,
            visibility=Goal.Visibility.PRIVATE if n % 7 == 3 else Goal.Visibility.PUBLIC,
            progress=Decimal(n % 100),
            status=Goal.Status.AT_RISK if n % 9 == 0 else Goal.Status.ON_TRACK,
        )
        for n in range(size)
    )
    GoalLink.objects.bulk_create(
        GoalLink(
            child=goal,
            parent=made[(n - 5) // 4],
            kind=GoalLink.Kind.SUPPORTS if n % 10 == 7 else GoalLink.Kind.CONTRIBUTES,
        )
        for n, goal in enumerate(made)
        if n >= 5 and n % 20 != 1
    )
    KeyResult.objects.bulk_create(
        KeyResult(goal=goal, title=f"KR of {goal.title}", target_value=100)
        for goal in made
        if goal.owner_id == cast.report.pk
    )
    client.force_login(cast.report_user)
    return made


def test_alignment_tree(client, cast, period, many, django_assert_num_queries):
    params = {
        "period": period.pk,
        "business_unit": cast.report.business_unit_id,
        "product": "",
        "owner": "",
    }
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the periods for the switcher
        + 1  # the unit filter checks the unit exists
        + VIEWER
        + 2  # alignment_tree: the visible goals of the period (owner, product… joined), their links
        + 1  # counts and average progress of the matching goals (one aggregate)
        + 3  # units, products and owners of the visible goals, offered as filters
        + BELL
        + REQUEST_END
    ):
        response = client.get("/goals/alignment/", params)
    assert response.status_code == 200
    assert response.context["summary"]["total"] > 0
    assert response.context["rows"]


def test_alignment_tree_htmx_update(client, cast, period, many, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the periods for the switcher (and to resolve ?period=)
        + 1  # the owner filter checks the person exists
        + VIEWER
        + 2  # alignment_tree: visible goals of the period, their links
        + 1  # counts and average progress of the matching goals
        + REQUEST_END
    ):
        response = client.get(
            "/goals/alignment/", {"period": period.pk, "owner": cast.peer.pk}, **HX
        )
    assert response.status_code == 200


def test_alignment_tree_of_the_current_period(client, many, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the periods for the switcher
        + 1  # the current period (the shortest containing today)
        + VIEWER
        + 2  # alignment_tree
        + 1  # counts and average progress
        + 3  # units, products and owners offered as filters
        + BELL
        + REQUEST_END
    ):
        response = client.get("/goals/alignment/")
    assert response.status_code == 200


def test_goals_export(client, period, many, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the periods (to resolve ?period=)
        + VIEWER
        + 1  # the visible goals of the period, with owner and period joined
        + 1  # their links to parents the viewer may see
        + REQUEST_END
    ):
        response = client.get("/goals/export.csv", {"period": period.pk})
    assert response.status_code == 200
    assert response.content.count(b"\n") > len(many) // 2


def test_my_goals(client, cast, many, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the viewer's Person
        + 1  # the periods for the switcher
        + 1  # the current period
        + 1  # HR admin group membership
        + 1  # the viewer's subtree from the reporting-line closure (visibility, who may check in)
        + 1  # the viewer's goals of the period, with owner, period, product… joined
        + 1  # their key results (one prefetch)
        + BELL
        + REQUEST_END
    ):
        response = client.get("/goals/mine/")
    assert response.status_code == 200
    assert len(response.context["goals"]) == len([g for g in many if g.owner_id == cast.report.pk])


def test_someone_elses_goals(client, cast, many, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # HR admin group membership (may the viewer see people who left?)
        + 1  # the person, with role, team, unit and manager
        + 1  # the viewer's Person
        + 1  # the periods for the switcher
        + 1  # the current period
        + 1  # the viewer's subtree (reporting-line closure)
        + 1  # the person's goals the viewer may see, with relations joined
        + 1  # their key results
        + BELL
        + REQUEST_END
    ):
        response = client.get(f"/goals/people/{cast.peer.pk}/")
    assert response.status_code == 200
    assert response.context["goals"]


def test_products_list(client, cast, many, django_assert_num_queries):
    params = {"business_unit": cast.report.business_unit_id, "stage": "discovery", "search": "p"}
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the unit filter checks the unit exists
        + 1  # recursive CTE inside COUNT: matching products, the unit's nested units included
        + 1  # one page of products with unit, team and owner joined
        + 1  # the viewer's Person (context processor)
        + 1  # HR admin group membership (context processor)
        + 1  # units offered as filters
        + BELL
        + REQUEST_END
    ):
        response = client.get("/products/", params)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(25, len(many) // 10)


def test_products_list_htmx_update(client, many, django_assert_num_queries):
    with django_assert_num_queries(
        REQUEST_START
        + 1  # COUNT of matching products
        + 1  # one page of products
        + 1  # the viewer's Person (context processor)
        + 1  # HR admin group membership (context processor)
        + REQUEST_END
    ):
        response = client.get("/products/", {"stage": "discovery"}, **HX)
    assert response.status_code == 200


@pytest.fixture(params=[2, 200], ids=["2-check-ins", "200-check-ins"])
def checked_in(request, cast, goals):
    """The team goal's key results with ``n`` check-ins each, spread over the period."""
    for kr in (goals.kr, goals.kr2):
        check_in_create(key_result=kr, author=cast.report, value=kr.start_value + 1)
        start = timezone.now() - dt.timedelta(days=30)
        CheckIn.objects.bulk_create(
            CheckIn(
                key_result=kr,
                author=cast.report,
                value=kr.start_value + n % 10,
                created_at=start + dt.timedelta(hours=n),
            )
            for n in range(request.param - 1)
        )
    return request.param


def test_goal_page(client, cast, goals, checked_in, django_assert_num_queries):
    client.force_login(cast.leader_user)
    with django_assert_num_queries(
        REQUEST_START
        + VIEWER
        + 1  # the goal, if visible, with owner, period, product, unit and team
        + 3  # why this number: its key results, its visible children, its links down
        + 1  # its key results with their metric
        + 1  # the latest check-ins of each key result (a window function), with authors
        + 1  # its links up and down, with the goal at the other end and its owner
        + 1  # goals it could align to (the viewer may edit it)
        + BELL
        + REQUEST_END
    ):
        response = client.get(f"/goals/{goals.team.pk}/")
    assert response.status_code == 200
    readings = {kr.pk: len(kr.readings) for kr in response.context["key_results"]}
    assert readings == {goals.kr.pk: min(checked_in, 30), goals.kr2.pk: min(checked_in, 30)}


def test_product_page(client, cast, goals, django_assert_num_queries):
    from roadmaps.services import roadmap_item_save

    for n in range(3):
        roadmap_item_save(
            product=goals.product, title=f"Item {n}", horizon="now", goals=[goals.team]
        )
    client.force_login(cast.peer_user)
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the product with unit, team and owner
        + VIEWER
        + 2  # roadmap items with owner and period; the visible goals each serves
        + 2  # the product's vision; what its stage asks of it
        + 1  # its stage history with who made each move
        + 1  # its goals the viewer may see
        + 1  # its metrics, each with its latest daily roll-up (subqueries)
        + 1  # their daily roll-ups of the last 30 days (the trend lines)
        + BELL
        + REQUEST_END
    ):
        response = client.get(f"/products/{goals.product.pk}/")
    assert response.status_code == 200
