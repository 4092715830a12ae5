"""A crafted organisation for alignment health: healthy by construction, with one
planting function per kind of finding.

The org, under ``top`` (Chief Product Officer):

- ``leader`` (VP of Product) with three active Senior PMs ``alice``, ``bob``, ``cleo``
  (span 3, inside 3..10). A VP and Senior PMs between them hold every default
  responsibility area as Responsible or Accountable.
- a company goal owned by ``top``; the leader's unit goal aligns to it, Alice's team
  goal to the leader's; all checked in just now.
- Alice's product in growth, reporting every metric growth expects within 90 days,
  with a lifecycle review done five days ago; an aligned stakeholder on it, touchpoint
  due next week; an open seat under the leader with a budget.
- ``peer`` (Director of Product, beside the leader) whose branch carries one of every
  problem, so a finding that leaks across branches shows up in the leader's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from health.models import FindingKind
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
from roles.models import (
    BusinessUnit,
    Person,
    Position,
    ResponsibilityArea,
    Role,
    RoleResponsibility,
    Team,
)
from stakeholders.models import Alignment, Review, Stakeholder
from tests.factories import UserFactory

GROWTH_METRICS = ["weekly_active_users", "revenue", "retention_d30"]
PMF_METRICS = ["retention_d30", "nps"]


@dataclass
class Org:
    top: Person
    leader: Person
    alice: Person
    bob: Person
    cleo: Person
    peer: Person
    period: Period
    unit: BusinessUnit
    team: Team
    company_goal: Goal
    leader_goal: Goal
    alice_goal: Goal
    product: Product
    metrics: dict[str, Metric]
    hr_user: object
    outsider_user: object
    planted: dict[str, str] = field(default_factory=dict)  # kind -> expected subject

    def person(self, name: str, role: str, manager: Person | None, *, active=True, login=False):
        user = UserFactory(username=f"{name.lower()}@health.example") if login else None
        return Person.objects.create(
            full_name=name,
            email=f"{name.lower()}@health.example",
            role=Role.objects.get(name=role),
            manager=manager,
            business_unit=self.unit,
            team=self.team,
            is_active=active,
            user=user,
        )

    def goal(self, title: str, owner: Person, *, parent: Goal | None = None, **kwargs) -> Goal:
        kwargs.setdefault("level", Goal.Level.TEAM)
        kwargs.setdefault("last_check_in_at", timezone.now())
        goal = Goal.objects.create(title=title, owner=owner, period=self.period, **kwargs)
        if parent is not None:
            GoalLink.objects.create(child=goal, parent=parent)
        return goal

    def product_for(self, name: str, owner: Person, *, stage=LifecycleStage.GROWTH) -> Product:
        return Product.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            business_unit=self.unit,
            team=self.team,
            owner=owner,
            stage=stage,
        )

    def observe(self, product: Product, key: str, *, days_ago: int = 3) -> None:
        metric = self.metrics.get(key) or Metric.objects.get_or_create(key=key, name=key)[0]
        when = timezone.now() - timedelta(days=days_ago)
        MetricObservation.objects.create(
            metric=metric, product=product, timestamp=when, value=Decimal("1")
        )
        # The health rules read the product's day roll-up of that reading.
        MetricRollup.objects.update_or_create(
            metric=metric,
            scope=RollupScope.PRODUCT,
            scope_id=product.pk,
            grain=RollupGrain.DAY,
            period_start=timezone.localdate(when),
            defaults={
                "value": Decimal("1"),
                "observation_count": 1,
                "observation_sum": Decimal("1"),
                "last_observed_at": when,
                "computed_at": timezone.now(),
            },
        )

    def lifecycle_review(self, product: Product, *, done_days_ago: int) -> Review:
        done = timezone.now() - timedelta(days=done_days_ago)
        return Review.objects.create(
            kind=Review.Kind.LIFECYCLE_REVIEW,
            title=f"Lifecycle review of {product.name}",
            product=product,
            owner=product.owner,
            anchor_at=done,
            due_at=done,
            status=Review.Status.DONE,
            completed_at=done,
        )

    def stakeholder(self, name: str) -> Stakeholder:
        return Stakeholder.objects.create(
            name=name, function=Stakeholder.Function.ENGINEERING, influence=4, interest=4
        )

    def align(self, stakeholder: Stakeholder, *, status=Alignment.Status.ALIGNED, due_in=7, **on):
        return Alignment.objects.create(
            stakeholder=stakeholder,
            status=status,
            next_touchpoint_due=timezone.localdate() + timedelta(days=due_in),
            last_confirmed_at=timezone.now(),
            **on,
        )


def build_health_org() -> Org:
    today = timezone.localdate()
    unit = BusinessUnit.objects.create(name="Growth", slug="growth")
    team = Team.objects.create(name="Growth squad", business_unit=unit)
    period = Period.objects.create(
        name="Now",
        kind=Period.Kind.QUARTER,
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
    )
    org = Org.__new__(Org)
    org.unit, org.team, org.period, org.planted = unit, team, period, {}
    org.metrics = {}
    org.top = org.person("Tess", "Chief Product Officer", None, login=True)
    org.leader = org.person("Lena", "VP of Product", org.top, login=True)
    org.alice = org.person("Alice", "Senior Product Manager", org.leader, login=True)
    org.bob = org.person("Bob", "Senior Product Manager", org.leader)
    org.cleo = org.person("Cleo", "Senior Product Manager", org.leader)
    org.peer = org.person("Piet", "Director of Product", org.top, login=True)
    org.hr_user = UserFactory(username="hr@health.example", hr_admin=True)
    org.outsider_user = UserFactory(username="outsider@health.example")

    org.company_goal = org.goal("Win the market", org.top, level=Goal.Level.COMPANY)
    org.leader_goal = org.goal(
        "Grow the unit", org.leader, parent=org.company_goal, level=Goal.Level.BUSINESS_UNIT
    )
    org.alice_goal = org.goal("Double activation", org.alice, parent=org.leader_goal)

    org.metrics = {
        key: Metric.objects.get_or_create(key=key, defaults={"name": key})[0]
        for key in dict.fromkeys(GROWTH_METRICS + PMF_METRICS)
    }
    org.product = org.product_for("Checkout", org.alice)
    for key in GROWTH_METRICS:
        org.observe(org.product, key)
    org.lifecycle_review(org.product, done_days_ago=5)
    org.align(org.stakeholder("Erin"), product=org.product)
    Position.objects.create(
        role=Role.objects.get(name="Product Manager"),
        reports_to=org.leader,
        status=Position.Status.OPEN,
        budgeted_annual_cost=Decimal("120000"),
    )

    # The peer's branch: one of every problem, none of which is the leader's.
    helper = org.person("Quinn", "Product Manager", org.peer)
    org.goal("Peer goal floating", org.peer, last_check_in_at=timezone.now() - timedelta(days=30))
    peer_product = org.product_for("Peer product", org.peer)
    org.align(
        org.stakeholder("Blocker of peer"), product=peer_product, status="blocking", due_in=-5
    )
    Position.objects.create(
        role=Role.objects.get(name="Product Manager"),
        reports_to=helper,
        status=Position.Status.OPEN,
    )
    return org


@pytest.fixture
def org(db) -> Org:
    return build_health_org()


# --- One planting per kind: each returns the subject its finding must carry ---------


def plant_goal_unaligned(org: Org) -> str:
    org.goal("Bob's floating goal", org.bob)
    return "Bob's floating goal"


def plant_goal_no_check_in(org: Org) -> str:
    org.goal(
        "Cleo's quiet goal",
        org.cleo,
        parent=org.leader_goal,
        last_check_in_at=timezone.now() - timedelta(days=20),
    )
    return "Cleo's quiet goal"


def plant_goal_no_owner(org: Org) -> str:
    gone = org.person("Gus", "Product Manager", org.leader, active=False)
    org.goal("Gus's orphan goal", gone, parent=org.leader_goal)
    return "Gus's orphan goal"


def plant_product_missing_metrics(org: Org) -> str:
    product = org.product_for("Ledger", org.bob)
    org.observe(product, "weekly_active_users")
    org.observe(product, "retention_d30")
    org.observe(product, "revenue", days_ago=100)  # too old to count
    org.lifecycle_review(product, done_days_ago=2)
    return "Ledger"


def plant_product_no_lifecycle_review(org: Org) -> str:
    product = org.product_for("Wallet", org.cleo, stage=LifecycleStage.PMF)
    for key in PMF_METRICS:
        org.observe(product, key)
    org.lifecycle_review(product, done_days_ago=30)  # pmf asks for one every 14 days
    return "Wallet"


def plant_stakeholder_blocking(org: Org) -> str:
    org.align(org.stakeholder("Bruno"), product=org.product, status=Alignment.Status.BLOCKING)
    return "Bruno on Checkout"


def plant_stakeholder_unconfirmed(org: Org) -> str:
    org.align(org.stakeholder("Uma"), goal=org.alice_goal, due_in=-3)
    return "Uma on Double activation"


def plant_seat_no_budget(org: Org) -> str:
    Position.objects.create(
        title="Data PM",
        role=Role.objects.get(name="Product Manager"),
        reports_to=org.alice,
        status=Position.Status.OPEN,
    )
    return "Data PM"


def plant_span_out_of_range(org: Org) -> str:
    org.person("Eve", "Associate Product Manager", org.bob)
    return "Bob"


def plant_responsibility_unheld(org: Org) -> str:
    area = ResponsibilityArea.objects.create(key="pricing", name="Pricing", position=99)
    # Held above the leader only: the leader's subtree lacks it, the top's does not.
    RoleResponsibility.objects.create(
        role=Role.objects.get(name="Chief Product Officer"), area=area, raci="A"
    )
    return "Pricing"


PLANTS = {
    FindingKind.GOAL_UNALIGNED: plant_goal_unaligned,
    FindingKind.GOAL_NO_CHECK_IN: plant_goal_no_check_in,
    FindingKind.GOAL_NO_OWNER: plant_goal_no_owner,
    FindingKind.PRODUCT_MISSING_METRICS: plant_product_missing_metrics,
    FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW: plant_product_no_lifecycle_review,
    FindingKind.STAKEHOLDER_BLOCKING: plant_stakeholder_blocking,
    FindingKind.STAKEHOLDER_UNCONFIRMED: plant_stakeholder_unconfirmed,
    FindingKind.SEAT_NO_BUDGET: plant_seat_no_budget,
    FindingKind.SPAN_OUT_OF_RANGE: plant_span_out_of_range,
    FindingKind.RESPONSIBILITY_UNHELD: plant_responsibility_unheld,
}
