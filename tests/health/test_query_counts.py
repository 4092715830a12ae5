"""``leader_health`` reads a subtree of 12 people or 600 with the same number of queries.

Every row is built so that each rule has something to check and something failing
(unaligned and stale goals, goals of people who left, products missing metrics and
reviews, blocking and overdue stakeholders, seats without a budget, spans out of
range), so a per-row query anywhere would show up as a difference between the sizes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from health.models import FindingKind
from health.selectors import leader_health
from roadmaps.models import (
    Goal,
    GoalLink,
    LifecycleStage,
    Metric,
    MetricObservation,
    MetricRollup,
    Period,
    Product,
    RollupGrain,
    RollupScope,
)
from roles.models import Person, Position
from stakeholders.models import Alignment, Review, Stakeholder
from tests.conftest import build_org
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIZES = [12, 600]

# Who is asking (a fresh user, as in a request):
VIEWER = 3  # HR admin group check, the viewer's Person, the viewer's subtree ids
GOALS = 2  # checked and failing counts per rule; the failing goals with their rule
#           flags and visibility (the first of each kind with a limit)
PRODUCTS = 3  # stage policies; checked and failing counts per rule; the failing products
#              with their lifecycle review flag and the expected metrics they reported
STAKEHOLDERS = 2  # alignments checked and failing per rule; the failing ones with
#                  stakeholder and subject
SEATS = 2  # open seats checked and those without a budget (counts); those seats
SPANS = 2  # managers checked and out of range (counts); those managers
RESPONSIBILITIES = 1  # areas, each flagged held or not by the subtree
LEADER_HEALTH = VIEWER + GOALS + PRODUCTS + STAKEHOLDERS + SEATS + SPANS + RESPONSIBILITIES


def _portfolio(size: int) -> Person:
    root = build_org(size=size, fanout=4)
    people = list(Person.objects.filter(business_unit=root.business_unit).order_by("pk"))
    today, now = timezone.localdate(), timezone.now()
    period = Period.objects.create(
        name=f"Q {size}",
        kind=Period.Kind.QUARTER,
        start=today - timedelta(days=10),
        end=today + timedelta(days=80),
    )
    Person.objects.filter(pk__in=[p.pk for p in people[-max(1, size // 10) :]]).update(
        is_active=False
    )
    goals = Goal.objects.bulk_create(
        Goal(
            title=f"Goal {size}-{i}",
            level=Goal.Level.TEAM,
            owner=person,
            period=period,
            visibility=Goal.Visibility.PRIVATE if i % 4 == 0 else Goal.Visibility.PUBLIC,
            last_check_in_at=None if i % 3 == 0 else now,
        )
        for i, person in enumerate(people)
    )
    Goal.objects.filter(pk__in=[g.pk for g in goals]).update(created_at=now - timedelta(days=60))
    GoalLink.objects.bulk_create(
        GoalLink(child=goal, parent=goals[0]) for goal in goals[1:] if goal.pk % 2
    )
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {size}-{i}",
            slug=f"product-{size}-{i}",
            business_unit=root.business_unit,
            owner=person,
            stage=[LifecycleStage.GROWTH, LifecycleStage.PMF, LifecycleStage.LAUNCH][i % 3],
        )
        for i, person in enumerate(people[::3])
    )
    metric = Metric.objects.get_or_create(key="revenue", defaults={"name": "Revenue"})[0]
    MetricObservation.objects.bulk_create(
        MetricObservation(metric=metric, product=p, timestamp=now, value=Decimal(1))
        for p in products
    )
    MetricRollup.objects.bulk_create(
        MetricRollup(
            metric=metric,
            scope=RollupScope.PRODUCT,
            scope_id=p.pk,
            grain=RollupGrain.DAY,
            period_start=today,
            value=Decimal(1),
            observation_count=1,
            observation_sum=Decimal(1),
            last_observed_at=now,
            computed_at=now,
        )
        for p in products
    )
    Review.objects.bulk_create(
        Review(
            kind=Review.Kind.LIFECYCLE_REVIEW,
            title="Lifecycle",
            product=p,
            owner=p.owner,
            anchor_at=now,
            due_at=now,
            status=Review.Status.DONE,
            completed_at=now,
        )
        for p in products[::2]
    )
    stakeholders = Stakeholder.objects.bulk_create(
        Stakeholder(name=f"S {size}-{i}", function="sales", influence=3, interest=3)
        for i in range(len(products))
    )
    Alignment.objects.bulk_create(
        Alignment(
            stakeholder=s,
            product=p,
            status="blocking" if i % 2 else "aligned",
            next_touchpoint_due=today - timedelta(days=1 if i % 3 else -5),
        )
        for i, (s, p) in enumerate(zip(stakeholders, products, strict=True))
    )
    Alignment.objects.bulk_create(
        Alignment(stakeholder=s, goal=g, status="concerned")
        for s, g in zip(stakeholders, goals, strict=False)
    )
    Position.objects.bulk_create(
        Position(
            role=root.role,
            reports_to=person,
            status=Position.Status.OPEN,
            budgeted_annual_cost=None if i % 2 else Decimal(1000),
        )
        for i, person in enumerate(people[::4])
    )
    root.user = UserFactory(username=f"root{size}@example.com")
    root.save()
    return root


@pytest.mark.parametrize("size", SIZES)
def test_leader_health_query_count_does_not_grow_with_the_subtree(
    size, django_assert_num_queries, settings
):
    settings.HEALTH_SPAN_MIN = 5  # every manager (four reports at most) is out of range
    root = _portfolio(size)
    viewer = get_user_model().objects.get(pk=root.user_id)  # nothing cached, as in a request

    with django_assert_num_queries(LEADER_HEALTH):
        report = leader_health(leader=root, viewer_user=viewer)

    failing = {entry.kind: entry.failing for entry in report.breakdown}
    for kind in FindingKind:
        if kind != FindingKind.RESPONSIBILITY_UNHELD:
            assert failing[kind] > 0, kind  # every rule had rows to read
    assert len(report.findings) >= size // 2
