"""``seed_demo`` loads a strategy for the demo organisation: current, consistent, the same
on every run, and with something real on every page for every demo login."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import zoneinfo
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Max
from django.utils import timezone

from roadmaps.demo import GOALS_SIZES, OrgView, demo_goals_create, goals_plan
from roadmaps.demo.rows import quarter_bounds
from roadmaps.models import (
    STAGE_ORDER,
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    LifecycleStage,
    Metric,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    StagePolicy,
    Vision,
)
from roadmaps.progress import key_result_progress
from roadmaps.selectors import alignment_tree, goal_visible_queryset, period_current
from roadmaps.services import goal_recompute_progress
from roles.demo import DEMO_EMAIL_DOMAIN, demo_org_create, demo_plan
from roles.models import Person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_OWNER_ROLES = {"Principal Product Manager", "Senior Product Manager", "Product Manager"}
LONDON = zoneinfo.ZoneInfo("Europe/London")


def seed(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def login(key: str):
    return get_user_model().objects.get(username=f"{key}@{DEMO_EMAIL_DOMAIN}")


@pytest.fixture
def demo():
    out, err = seed(size="small")
    return out, err


def snapshot() -> dict[str, list]:
    """The strategy by natural keys (no ids), to compare two runs."""
    goal = ["period__name", "level", "owner__email", "title"]
    return {
        "periods": sorted(Period.objects.values_list("name", "kind", "start", "end")),
        "metrics": sorted(Metric.objects.values_list("key", "name", "owner__email")),
        "visions": sorted(
            Vision.objects.values_list(
                "scope", "business_unit__slug", "product__slug", "statement", "pillars", "horizon"
            ),
            key=repr,
        ),
        "products": sorted(
            Product.objects.values_list(
                "slug",
                "name",
                "business_unit__slug",
                "team__name",
                "owner__email",
                "stage",
                "stage_changed_at",
                "vision_statement",
            )
        ),
        "transitions": sorted(
            ProductStageTransition.objects.values_list(
                "product__slug",
                "from_stage",
                "to_stage",
                "changed_at",
                "reason",
                "changed_by__username",
            ),
            key=repr,
        ),
        "goals": sorted(
            Goal.objects.values_list(
                *goal,
                "product__slug",
                "team__name",
                "status",
                "confidence",
                "visibility",
                "check_in_cadence",
                "progress",
                "last_check_in_at",
            ),
            key=repr,
        ),
        "links": sorted(
            GoalLink.objects.values_list(
                *(f"child__{f}" for f in goal), *(f"parent__{f}" for f in goal), "kind", "weight"
            ),
            key=repr,
        ),
        "key_results": sorted(
            KeyResult.objects.values_list(
                *(f"goal__{f}" for f in goal),
                "title",
                "start_value",
                "target_value",
                "current_value",
                "direction",
                "weight",
                "progress",
                "metric__key",
            ),
            key=repr,
        ),
        "check_ins": sorted(
            CheckIn.objects.values_list(
                "key_result__title",
                "key_result__goal__owner__email",
                "author__email",
                "value",
                "confidence",
                "note",
                "created_at",
            ),
            key=repr,
        ),
        "roadmap": sorted(
            RoadmapItem.objects.annotate(goal_count=Count("goals")).values_list(
                "product__slug",
                "title",
                "horizon",
                "status",
                "target_period__name",
                "owner__email",
                "estimate_weeks",
                "goal_count",
            ),
            key=repr,
        ),
    }


# --- What the demo shows ----------------------------------------------------------------


def test_seeding_reports_the_strategy_with_a_progress_bar(demo):
    out, err = demo
    assert "Seeded the small demo organisation" in out.splitlines()[0]
    assert "Seeded its strategy" in out and "products" in out and "check-ins" in out
    assert "100% roadmap items" in err


def test_the_periods_are_last_current_and_next_quarter_and_the_year(demo):
    today = timezone.localdate()
    start, end = quarter_bounds(today)
    last_start, _ = quarter_bounds(start - timedelta(days=1))
    next_start, next_end = quarter_bounds(end + timedelta(days=1))
    quarters = list(Period.objects.filter(kind="quarter").values_list("start", "end"))
    assert quarters == [
        (last_start, start - timedelta(days=1)),
        (start, end),
        (next_start, next_end),
    ]
    year = Period.objects.get(kind="year")
    assert (year.start, year.end) == (date(today.year, 1, 1), date(today.year, 12, 31))
    current = period_current(today=today)
    assert (current.start, current.end) == (start, end)
    assert current.name == f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_the_visions_company_units_and_products(demo):
    company = Vision.objects.get(scope="company")
    assert 3 <= len(company.pillars) <= 4 and company.horizon
    # Revised once: its history holds the first version and the change.
    versions = list(company.history.order_by("history_date", "history_id"))
    assert len(versions) == 2 and versions[0].statement != versions[1].statement
    units = Vision.objects.filter(scope="business_unit")
    assert units.count() == 9 and not units.filter(pillars=[]).exists()
    assert (
        Vision.objects.filter(scope="product").count()
        == Product.objects.exclude(stage="retired").count()
    )


def test_products_in_several_stages_with_realistic_histories(demo):
    products = list(Product.objects.select_related("owner__role"))
    assert len(products) == GOALS_SIZES["small"].products
    assert len({p.stage for p in products}) == len(STAGE_ORDER)
    assert {p.business_unit.parent_id is not None for p in products} == {True}
    assert {p.owner.role.name for p in products} <= PRODUCT_OWNER_ROLES
    for product in products:
        log = list(product.stage_transitions.order_by("changed_at", "id"))
        assert (log[0].from_stage, log[0].to_stage) == ("", "discovery")
        assert log[0].reason == "Product created."
        assert (log[-1].to_stage, log[-1].changed_at) == (product.stage, product.stage_changed_at)
        assert len(log) >= STAGE_ORDER.index(product.stage) + 1
        assert all(a.changed_at < b.changed_at for a, b in itertools.pairwise(log))
        assert all(t.reason for t in log)
        assert all(a.to_stage == b.from_stage for a, b in itertools.pairwise(log))
        assert product.stage_changed_at < timezone.now()
    # The demo logins' people made some of the moves, so the log names them.
    assert ProductStageTransition.objects.filter(changed_by__isnull=False).exists()


def test_metrics_are_defined_for_every_key_the_stage_policies_expect(demo):
    expected = {
        k
        for keys in StagePolicy.objects.values_list("expected_metric_keys", flat=True)
        for k in keys
    }
    assert expected <= set(Metric.objects.values_list("key", flat=True))
    assert KeyResult.objects.filter(metric__isnull=False).exists()


def test_the_goal_cascade_has_everything_the_goal_pages_show(demo):
    current = period_current()
    goals = Goal.objects.filter(period=current)
    hr = get_user_model().objects.get(username=f"hr@{DEMO_EMAIL_DOMAIN}")

    tree = alignment_tree(user=hr, period=current)
    assert tree.roots and all(node.goal.level == "company" for node in tree.roots)
    assert all(node.children for node in tree.roots)  # company goals with children
    assert max(len(node.children) for node in tree.roots) >= 2
    assert tree.orphans  # goals aligned to nothing
    assert {g.level for g in goals} == set(Goal.Level.values)

    statuses = Counter(goals.values_list("status", flat=True))
    assert statuses["on_track"] and statuses["at_risk"] and statuses["off_track"]
    last = Goal.objects.filter(period__end__lt=current.start)
    assert set(last.values_list("status", flat=True)) >= {"achieved", "missed"}
    assert set(
        Goal.objects.filter(period__start__gt=current.end).values_list("status", flat=True)
    ) == {"draft"}

    private = goals.filter(visibility="private")
    assert private.exists() and set(private.values_list("level", flat=True)) == {"individual"}
    several_parents = goals.annotate(n=Count("parent_links")).filter(n__gte=2)
    assert several_parents.exists()
    assert GoalLink.objects.filter(kind="supports", child__period=current).exists()
    assert GoalLink.objects.filter(child__period=current, parent__period__kind="year").exists()
    # Links only join goals of overlapping periods, like goal_link_create allows.
    for link in GoalLink.objects.select_related("child__period", "parent__period"):
        assert link.child.period.overlaps(link.parent.period)

    assert set(KeyResult.objects.values_list("direction", flat=True)) == {"increase", "decrease"}
    assert len(set(KeyResult.objects.values_list("weight", flat=True))) > 1
    assert len(set(GoalLink.objects.values_list("weight", flat=True))) > 1
    # Stalled goals went quiet: their last check-in is older than their cadence.
    stalled = goals.filter(status="off_track", last_check_in_at__isnull=False)
    assert any(
        (timezone.now() - g.last_check_in_at).days > 7 for g in stalled
    ) or timezone.localdate() - current.start < timedelta(days=30)


def test_check_ins_follow_their_goals_weeks_and_never_lie_ahead(demo):
    now = timezone.now()
    assert not CheckIn.objects.filter(created_at__gt=now).exists()
    last = Period.objects.filter(kind="quarter").order_by("start").first()
    in_last = CheckIn.objects.filter(key_result__goal__period=last)
    weeks = {c.isocalendar()[1] for c in in_last.values_list("created_at", flat=True)}
    assert len(weeks) >= 10  # a whole quarter of readings
    for check_in in CheckIn.objects.select_related("key_result__goal__period")[:500]:
        period = check_in.key_result.goal.period
        assert period.start <= timezone.localtime(check_in.created_at).date() <= period.end
    assert not CheckIn.objects.filter(key_result__goal__status="draft").exists()
    assert CheckIn.objects.exclude(note="").exists()


def test_every_demo_login_owns_goals_with_key_results(demo):
    current = period_current()
    for key in ("cpo", "director", "head", "pm"):
        person = login(key).person
        owned = Goal.objects.filter(owner=person).annotate(krs=Count("key_results"))
        assert owned.filter(period=current, krs__gte=2).exists(), key


def test_the_demo_pm_has_a_checked_in_goal_and_a_private_one_this_quarter(demo):
    pm, current = login("pm"), period_current()
    goal = (
        Goal.objects.filter(owner=pm.person, period=current, level="product")
        .select_related("product")
        .get()
    )
    assert goal.product.owner == pm.person and goal.product.stage in (
        "launch", "pmf", "growth", "maturity",
    )  # fmt: skip
    krs = goal.key_results.annotate(n=Count("check_ins"))
    assert krs.count() == 3 and all(kr.n >= 2 for kr in krs)
    assert goal.status == "on_track" and goal.progress > 0 and goal.last_check_in_at
    assert goal.parent_links.exists()  # aligned up towards the company goals

    private = Goal.objects.get(owner=pm.person, period=current, visibility="private")
    assert goal_visible_queryset(user=pm).filter(pk=private.pk).exists()
    assert goal_visible_queryset(user=login("head")).filter(pk=private.pk).exists()
    peer = (
        Person.objects.filter(role__name="Director of Product")
        .exclude(pk=login("director").person.pk)
        .first()
    )
    peer_user = get_user_model().objects.create_user(username="peer@example.com")
    peer.user = peer_user
    peer.save()
    assert not goal_visible_queryset(user=peer_user).filter(pk=private.pk).exists()


def test_roadmaps_have_items_in_every_horizon_serving_goals(demo):
    items = RoadmapItem.objects.all()
    assert set(items.values_list("horizon", flat=True)) == {"now", "next", "later"}
    assert len(set(items.values_list("status", flat=True))) >= 4
    assert items.filter(horizon="now", goals__isnull=False).exists()
    assert items.filter(target_period__isnull=False).exists()
    active = Product.objects.exclude(stage="retired")
    assert not active.annotate(n=Count("roadmap_items")).filter(n=0).exists()


def test_what_the_services_derive_matches_a_fresh_recomputation(demo):
    """Progress, values, confidence and last check-ins, as if every check-in had gone
    through check_in_create."""
    stored = dict(Goal.objects.values_list("id", "progress"))
    assert goal_recompute_progress(goal_ids=list(stored)) == stored
    assert any(stored.values())

    latest = {}
    for kr_id, value in CheckIn.objects.order_by("created_at", "id").values_list(
        "key_result_id", "value"
    ):
        latest[kr_id] = value
    for kr in KeyResult.objects.all():
        assert kr.current_value == latest.get(kr.pk, kr.start_value)
        assert kr.progress == key_result_progress(
            start=kr.start_value,
            target=kr.target_value,
            current=kr.current_value,
            direction=kr.direction,
        )

    last_check_in = dict(
        CheckIn.objects.values("key_result__goal")
        .annotate(at=Max("created_at"))
        .values_list("key_result__goal", "at")
    )
    confidence = {}
    for goal_id, value in (
        CheckIn.objects.filter(confidence__isnull=False)
        .order_by("created_at", "id")
        .values_list("key_result__goal", "confidence")
    ):
        confidence[goal_id] = value
    for goal in Goal.objects.all():
        assert goal.last_check_in_at == last_check_in.get(goal.pk)
        assert goal.confidence == confidence.get(goal.pk)


# --- Same demo every run; reset ------------------------------------------------------------


def test_the_demo_is_the_same_on_every_run():
    seed(size="small")
    first = snapshot()
    out, _ = seed(size="small", reset=True)
    assert "Deleted the previous demo organisation" in out
    assert snapshot() == first


def test_reset_refuses_and_keeps_the_goals_of_an_organisation_that_is_not_the_demo():
    seed(size="small")
    Person.objects.create(full_name="Real Person", email="real.person@example.com")
    goals = Goal.objects.count()
    with pytest.raises(CommandError, match="not the demo"):
        seed(size="small", reset=True)
    assert Goal.objects.count() == goals and CheckIn.objects.exists()


def test_the_plan_does_not_depend_on_the_process():
    """String hashing is randomised per process; the plan must not notice."""
    script = (
        "import zoneinfo, datetime; from roles.demo import demo_plan; "
        "from roadmaps.demo import OrgView, goals_plan; "
        "print(goals_plan(org=OrgView.from_plan(demo_plan(size='small')), size='small', "
        "today=datetime.date(2026, 5, 20), tz=zoneinfo.ZoneInfo('Europe/London')).digest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip().splitlines()[-1])
    org = OrgView.from_plan(demo_plan(size="small"))
    digests.add(goals_plan(org=org, size="small", today=date(2026, 5, 20), tz=LONDON).digest())
    assert len(digests) == 1


# --- Any day of the year ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "today",
    [date(2027, 1, 1), date(2026, 12, 31), date(2026, 4, 2), date(2026, 8, 15)],
    ids=["first-day-of-a-year", "last-day-of-a-year", "second-day-of-a-quarter", "mid-quarter"],
)
def test_the_demo_makes_sense_on_any_day(today):
    demo_org_create(plan=demo_plan(size="small"))
    summary = demo_goals_create(size="small", today=today)

    assert summary.check_ins == CheckIn.objects.count() > 0
    end_of_today = timezone.make_aware(
        timezone.datetime.combine(today + timedelta(days=1), timezone.datetime.min.time())
    )
    assert not CheckIn.objects.filter(created_at__gte=end_of_today).exists()
    current = period_current(today=today)
    assert current.start <= today <= current.end
    # The demo PM's goal is checked in even on the first day of a quarter.
    pm = OrgView.from_db().cast()["pm"]
    pm_goal = Goal.objects.filter(period=current, level="product", owner_id=pm.id).first()
    assert pm_goal is not None
    assert all(kr.check_ins.count() >= 2 for kr in pm_goal.key_results.all())
    # Links stay within overlapping periods (a next quarter in the next year included).
    for link in GoalLink.objects.select_related("child__period", "parent__period"):
        assert link.child.period.overlaps(link.parent.period)
    stored = dict(Goal.objects.values_list("id", "progress"))
    assert goal_recompute_progress(goal_ids=list(stored)) == stored


def test_the_large_plan_has_the_documented_size():
    """Planned only (writing it takes minutes): DESIGN.md's scale for goals."""
    org = OrgView.from_plan(demo_plan(size="large"))
    plan = goals_plan(org=org, size="large", today=date(2026, 11, 25), tz=LONDON)
    assert len(plan.products) == 2_000
    assert len(plan.goals) == 40_000
    assert len(plan.key_results) == 120_000
    assert plan.check_in_count == 500_000
    assert len({p.slug for p in plan.products}) == 2_000
    # Every link points to a goal of a lower tier: acyclic by construction.
    assert all(link.parent.tier < link.child.tier for link in plan.links)
    assert {p.stage for p in plan.products} == set(LifecycleStage.values)
