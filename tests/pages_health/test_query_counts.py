"""The dashboard runs the same number of queries for a team of 30 as for an
organisation of 600 with ten times the products, goals and roll-up rows.

Subtrees are the reporting-line closure's ids embedded as subqueries, metric numbers are combined by the
database from roll-up rows, never read per product or per metric; the alignment health
is the leader's stored report, read in two queries (computed and stored on the first
view only). Each count below
names its queries in the order they run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from health.models import LeaderHealthReport
from health.services import health_report_refresh
from roadmaps.models import Goal, KeyResult, Metric, MetricRollup, Product
from roles.models import Person, Position
from tests.conftest import build_org
from tests.factories import UserFactory

from .conftest import HX, rollup

# Every signed-in request starts and ends the same way.
REQUEST_START = 3  # session row, user row, SAVEPOINT (ATOMIC_REQUESTS)
REQUEST_END = 1  # RELEASE SAVEPOINT
BELL = 1  # the header bell: COUNT of unread notifications (context processor)
LEADER = (
    1  # HR admin group membership (then cached on the user)
    + 1  # the viewer's Person (user.person; reused by the context processor)
    + 1  # the leader (leader_get_for_viewer; the viewer is the leader, so no subtree check)
)
PERIODS = 1  # the periods for the switcher
HEADLINE = (
    1  # people and product roles in the subtree (one aggregate over the CTE)
    + 1  # open seats reporting into the subtree (COUNT; costs never read)
    + 1  # the subtree's products: (id, stage)
)  # (the goals by status are the units' rows added up: see UNITS)
# The leader's stored health report (health.services.health_report_for_viewer), fresh:
HEALTH = (
    1  # the stored report (score, breakdown, the first findings of each kind)
    + 1  # the goals it names that the viewer may see, with their titles (the viewer's
    #      subtree a subquery: no list of ids is read)
)
# Computing it (health.selectors.leader_health, for nobody in particular), when nothing
# is stored yet: its own fixed count, then the writes.
HEALTH_COMPUTE = (
    2  # current goals: counts per rule, then the failing ones
    + 3  # products: stage policies, the products checked, the metrics they reported lately
    + 2  # stakeholder alignments: count, then the failing ones
    + 2  # open seats: count, then those without a budget (costs never read)
    + 2  # spans of control: count, then those out of range
    + 1  # responsibility areas nobody in the subtree holds
    + 1  # upsert of the leader's report
    + 1  # upsert of today's snapshot
)
HEALTH_CLAIM = 1  # an old report: the conditional UPDATE claiming its background refresh
TREND = 1  # the leader's health snapshots
KEY_METRICS = (
    1  # the stage policies of the products' stages (expected metric keys)
    + 1  # the metrics charted: expected or with roll-ups in the period (and how many
    #      products there are: the root owns them all)
    + 1  # the series: the company-scope roll-ups per metric and week
    + 1  # the breakdown: product roll-ups grouped per metric and product (sum, average)
    + 1  # the breakdown of the last-reading metric: the latest row per product (window)
    + 1  # the names of the products in the breakdowns
)
UNITS = (
    1  # goals visible to the viewer grouped by business unit id (and the headline's)
    + 1  # those units' names
)
PRODUCTS_TABLE = (
    1  # COUNT of the products matching the filters
    + 1  # the page of products with owner and unit
    + 1  # the page's latest two buckets per product and metric (window)
    + 1  # key results following those metrics on the page's products
)
LEADER_PICKER = 1  # the managers the viewer may pick


@pytest.fixture(params=[30, 600], ids=["30-people", "600-people"])
def org(request, period):
    """``size`` people under one root who signs in; a product for every three people
    (all stages), three metrics with a roll-up row per product and week over six
    weeks, two goals per person (one in seven private), open seats, key results."""
    size = request.param
    root = build_org(size=size)
    root.user = UserFactory(username=f"root{size}@example.com")
    root.save()
    people = list(Person.objects.filter(business_unit=root.business_unit).order_by("id"))
    stages = ["discovery", "launch", "pmf", "growth", "maturity", "sunset"]
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {n:04d}",
            slug=f"p-{size}-{n}",
            business_unit=root.business_unit,
            owner=people[n * 3 % len(people)],
            stage=stages[n % len(stages)],
        )
        for n in range(size // 3)
    )
    metrics = [
        Metric.objects.create(key=f"m{size}-{agg}", name=f"Metric {agg}", aggregation=agg)
        for agg in ("sum", "average", "last")
    ]
    week = period.start - dt.timedelta(days=period.start.weekday())
    noon = timezone.make_aware(dt.datetime.combine(week, dt.time(12)))
    MetricRollup.objects.bulk_create(
        rollup(
            metric,
            product,
            week + dt.timedelta(weeks=w),
            n % 50 + w,
            2,
            noon + dt.timedelta(weeks=w, minutes=n),
        )
        for metric in metrics
        for n, product in enumerate(products)
        for w in range(6)
    )
    goals = Goal.objects.bulk_create(
        Goal(
            title=f"Goal {n}",
            level=Goal.Level.TEAM,
            owner=people[n % len(people)],
            period=period,
            product=products[n % len(products)],
            visibility=Goal.Visibility.PRIVATE if n % 7 == 3 else Goal.Visibility.PUBLIC,
            status=[Goal.Status.ON_TRACK, Goal.Status.AT_RISK, Goal.Status.OFF_TRACK][n % 3],
            progress=Decimal(n % 100),
        )
        for n in range(size * 2)
    )
    KeyResult.objects.bulk_create(
        KeyResult(goal=g, title=f"KR {g.title}", metric=metrics[0], target_value=100)
        for g in goals[::5]
    )
    Position.objects.bulk_create(
        Position(role=people[0].role, reports_to=p, status=Position.Status.OPEN)
        for p in people[:: max(len(people) // 10, 1)]
    )
    health_report_refresh(leader=root)  # as the nightly job or an earlier view left it
    return root


def test_the_dashboard_page(client, period, org, django_assert_num_queries):
    client.force_login(org.user)
    with django_assert_num_queries(
        REQUEST_START
        + LEADER
        + PERIODS
        + LEADER_PICKER
        + HEADLINE
        + HEALTH
        + TREND
        + KEY_METRICS
        + UNITS
        + PRODUCTS_TABLE
        + BELL
        + REQUEST_END
    ):
        response = client.get(f"/dashboard/{org.pk}/", {"period": period.pk})
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert len(dashboard.key_metrics) == 3
    assert dashboard.products.rows


def test_the_products_table_swapped_by_htmx(client, period, org, django_assert_num_queries):
    client.force_login(org.user)
    with django_assert_num_queries(
        REQUEST_START
        + LEADER
        + PERIODS
        + 1  # the subtree's products: (id, stage)
        + KEY_METRICS
        # (no VISIBILITY: on their own dashboard the leader's subtree is a subquery)
        + PRODUCTS_TABLE
        + REQUEST_END
    ):
        response = client.get(
            f"/dashboard/{org.pk}/",
            {"period": period.pk, "partial": "products", "sort": "-stage", "page": 2},
            **HX,
        )
    assert response.status_code == 200


def test_the_dashboard_api(client, period, org, django_assert_num_queries):
    client.force_login(org.user)
    with django_assert_num_queries(
        REQUEST_START
        + LEADER
        + 1  # the period asked for
        + HEADLINE
        + HEALTH
        + TREND
        + KEY_METRICS
        + UNITS
        + PRODUCTS_TABLE
        + REQUEST_END
    ):
        response = client.get(
            f"/api/v1/leaders/{org.pk}/dashboard/", {"period": period.pk, "grain": "week"}
        )
    assert response.status_code == 200
    assert len(response.json()["key_metrics"]) == 3


def test_the_first_view_computes_and_stores_the_health(
    client, period, org, django_assert_num_queries
):
    LeaderHealthReport.objects.all().delete()
    client.force_login(org.user)
    with django_assert_num_queries(
        REQUEST_START
        + LEADER
        + 1  # the period asked for
        + HEADLINE
        + HEALTH
        + HEALTH_COMPUTE
        + TREND
        + KEY_METRICS
        + UNITS
        + PRODUCTS_TABLE
        + REQUEST_END
    ):
        response = client.get(f"/api/v1/leaders/{org.pk}/dashboard/", {"period": period.pk})
    assert response.status_code == 200
    assert LeaderHealthReport.objects.filter(leader=org).exists()


def test_an_old_report_is_read_and_its_refresh_claimed(
    client, period, org, django_assert_num_queries, monkeypatch
):
    from health import tasks

    monkeypatch.setattr(tasks.refresh_report, "delay", lambda person_id: None)
    LeaderHealthReport.objects.update(computed_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(org.user)
    with django_assert_num_queries(
        REQUEST_START
        + LEADER
        + 1  # the period asked for
        + HEADLINE
        + HEALTH
        + HEALTH_CLAIM
        + TREND
        + KEY_METRICS
        + UNITS
        + PRODUCTS_TABLE
        + REQUEST_END
    ):
        response = client.get(f"/api/v1/leaders/{org.pk}/dashboard/", {"period": period.pk})
    assert response.json()["health_stale"] is True
