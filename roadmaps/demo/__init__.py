"""The demo organisation's strategy and goals, loaded by ``manage.py seed_demo``.

A company vision with its strategy pillars (revised once, so its history shows) and a
vision per business unit; the last, current and next quarters and the year, relative
to today so the demo is always current; products in every lifecycle stage with their
stage histories; a goal cascade from the company down to teams and individuals — with
goals aligned to several parents, ``supports`` links, private goals, orphans, goals off
track and at risk — key results in both directions with weeks of check-ins; roadmaps in
now / next / later; the metrics that stage policies expect, with ~120 days of readings
per product (:mod:`.metrics`) and their roll-ups.

Planning (:mod:`.plan`) is pure and seeded: the same organisation on the same day gives
the same demo. Writing (:mod:`.write`) is in bulk, for both sizes, with what the
services would derive computed by the planner, and the tests check that against a
fresh recomputation.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from roles.demo import DEMO_SEED, ProgressCallback

from ..models import STAGE_ORDER, StagePolicy
from .metrics import ObservationsDemoSummary, demo_observations_create, demo_observations_delete
from .org import OrgView
from .plan import GOALS_SIZES, goals_plan
from .rows import GoalsPlan
from .write import GoalsDemoSummary, demo_goals_delete, goals_plan_write

__all__ = [
    "GOALS_SIZES",
    "GoalsDemoSummary",
    "GoalsPlan",
    "ObservationsDemoSummary",
    "OrgView",
    "demo_goals_create",
    "demo_goals_delete",
    "demo_goals_plan",
    "demo_observations_create",
    "demo_observations_delete",
    "goals_plan",
]


def demo_goals_plan(*, size: str = "small", today: date | None = None) -> GoalsPlan:
    """Plan the strategy and goals of the demo organisation in the database."""
    policies = dict(StagePolicy.objects.values_list("stage", "expected_metric_keys"))
    keys = [key for stage in STAGE_ORDER for key in policies.get(stage) or []]
    return goals_plan(
        org=OrgView.from_db(),
        size=size,
        today=today or timezone.localdate(),
        tz=timezone.get_current_timezone(),
        seed=DEMO_SEED,
        policy_metric_keys=keys,
    )


def demo_goals_create(
    *, size: str = "small", today: date | None = None, progress: ProgressCallback | None = None
) -> GoalsDemoSummary:
    """Plan and write the demo's strategy and goals (after ``roles.demo.demo_org_create``)."""
    return goals_plan_write(plan=demo_goals_plan(size=size, today=today), progress=progress)
