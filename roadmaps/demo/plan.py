"""Planning the demo's strategy and goals in memory: pure, seeded, relative to today.

From the organisation (an :class:`OrgView`), a size and today's date, :func:`goals_plan`
lays out periods, metrics, products with their stage histories and visions (those three
in :mod:`.strategy`), the goal cascade with its links and key results, how many
check-ins each key result gets, and the roadmaps. It also computes what the services would derive — key-result and goal
progress, goal status, confidence and last check-in — so that the rows can be written
in bulk (:mod:`roadmaps.demo.write`) and still read as if every check-in had gone
through ``check_in_create``.

Links always point from a goal to one of a lower *tier* (company 0 … individual 6; the
year's company goals are tier −1), so the cascade is acyclic by construction and
progress is computed tier by tier, children first.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from roles.demo import CPO, DEMO_SEED, HEAD

from ..models import CADENCE_DAYS, Cadence, Goal, GoalLink, RoadmapItem
from ..progress import key_result_progress, weighted_progress
from . import texts
from .org import OrgPerson, OrgTeam, OrgUnit, OrgView
from .rows import (
    ZERO,
    GoalPlan,
    GoalsPlan,
    KeyResultPlan,
    LinkPlan,
    PeriodPlan,
    ProductPlan,
    RoadmapItemPlan,
    apportion,
    number_text,
    quarter_bounds,
    quarter_name,
    round_to,
)
from .strategy import StrategyPlanner

# --- Sizes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalsDemoSize:
    """How much strategy the demo has. ``None`` totals follow from the structure."""

    name: str
    products: int
    company_goals: int  # per quarter
    individual_goals: int  # when ``goals`` is None
    goals: int | None = None
    key_results: int | None = None
    check_ins: int | None = None
    roadmap_items: tuple[int, int] = (3, 5)  # per product, fewest and most


GOALS_SIZES = {
    "small": GoalsDemoSize("small", products=16, company_goals=3, individual_goals=36),
    "large": GoalsDemoSize(
        "large",
        products=2_000,
        company_goals=4,
        individual_goals=0,
        goals=40_000,
        key_results=120_000,
        check_ins=500_000,
        roadmap_items=(1, 4),
    ),
}


# --- Tuning -----------------------------------------------------------------------------
# Scenario of a goal of the current quarter → how likely. Parents' statuses are derived.
CURRENT_SCENARIOS = {
    "on_track": 55,
    "at_risk": 20,
    "off_track": 13,
    "achieved": 3,
    "draft": 5,
    "cancelled": 4,
}
LAST_SCENARIOS = {"achieved": 52, "missed": 43, "cancelled": 5}
# Goals of the individuals, spread over the quarters.
INDIVIDUAL_SHARES = (("last", 0.35), ("current", 0.5), ("next", 0.15))
LINK_WEIGHTS = (Decimal("1"), Decimal("1"), Decimal("1"), Decimal("2"), Decimal("1.5"), Decimal("0.5"))  # fmt: skip
KR_WEIGHTS = (Decimal("1"), Decimal("1"), Decimal("1"), Decimal("2"), Decimal("0.5"))
KR_COUNTS = (2, 3, 3, 4)


# --- The planner ------------------------------------------------------------------------


class _Planner(StrategyPlanner):
    """The goal cascade of each period, key results, check-ins and roadmaps."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents: dict[int, list[LinkPlan]] = defaultdict(list)
        # (period key, unit / team / product / person id) → that goal of the period.
        self.unit_goals: dict[tuple[str, int], list[GoalPlan]] = defaultdict(list)
        self.head_goal: dict[tuple[str, int], GoalPlan] = {}
        self.product_goal: dict[tuple[str, int], GoalPlan] = {}
        self.team_goal: dict[tuple[str, int], GoalPlan] = {}
        self.company_goals: dict[str, list[GoalPlan]] = {}
        self.year_goals: list[GoalPlan] = []
        self.demo_pm_goal = False
        # (goal key, metric key) of the key results that follow a metric.
        self.following: set[tuple[int, str]] = set()

    def build(self) -> GoalsPlan:
        self.periods()
        self.metrics()
        self.products()
        self.visions()
        self.year()
        for key in ("last", "current", "next"):
            self.cascade(key)
        self.individuals()
        self.key_results()
        self.check_in_counts()
        self.derive()
        self.roadmaps()
        return self.plan

    # -- periods and metrics -----------------------------------------------------------
    def periods(self) -> None:
        start, end = quarter_bounds(self.today)
        last_start, last_end = quarter_bounds(start - timedelta(days=1))
        next_start, next_end = quarter_bounds(end + timedelta(days=1))
        for key, (s, e) in (
            ("last", (last_start, last_end)),
            ("current", (start, end)),
            ("next", (next_start, next_end)),
        ):
            self.plan.periods[key] = PeriodPlan(key, quarter_name(s), "quarter", s, e)
        year = self.today.year
        self.plan.periods["year"] = PeriodPlan(
            "year", str(year), "year", date(year, 1, 1), date(year, 12, 31)
        )

    # -- goals -------------------------------------------------------------------------
    def goal(self, period: PeriodPlan, title: str, level: str, tier: int, owner, **kw) -> GoalPlan:
        rng = self.rng
        scenario = kw.pop("scenario", None) or self._scenario(period)
        cadence = kw.pop("cadence", None) or self._cadence(tier)
        goal = GoalPlan(
            key=len(self.plan.goals),
            title=title[:300],
            level=level,
            tier=tier,
            owner=owner,
            period=period,
            scenario=scenario,
            cadence=cadence,
            **kw,
        )
        goal.window = self._window(goal, rng)
        self.plan.goals.append(goal)
        return goal

    def _scenario(self, period: PeriodPlan) -> str:
        if period.key == "next":
            return "draft"
        if period.key == "year":
            return "year"
        weights = CURRENT_SCENARIOS if period.key == "current" else LAST_SCENARIOS
        scenario = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        if scenario == "achieved" and period.key == "current" and self._elapsed(period) < 0.5:
            scenario = "on_track"  # nobody achieves a quarter's goal in its first weeks
        return scenario

    def _cadence(self, tier: int) -> str:
        if tier <= 0:
            return Cadence.MONTHLY
        if tier <= 3:
            return Cadence.BIWEEKLY
        if tier == 4:
            return self.rng.choice((Cadence.WEEKLY, Cadence.WEEKLY, Cadence.BIWEEKLY))
        if tier == 5:
            return Cadence.WEEKLY
        return self.rng.choice((Cadence.BIWEEKLY, Cadence.MONTHLY))

    def _elapsed(self, period: PeriodPlan, until: date | None = None) -> float:
        until = until or self.today - timedelta(days=1)
        span = (period.end - period.start).days
        return min(max((until - period.start).days / span, 0.0), 1.0)

    def _window(self, goal: GoalPlan, rng: random.Random) -> tuple[date, date] | None:
        """When the goal's key results are checked in: from just after the period starts
        to its end (or yesterday), or to the day a stalled goal went quiet."""
        period, scenario = goal.period, goal.scenario
        if scenario == "draft":
            return None
        start = period.start + timedelta(days=rng.randint(1, 5))
        end = min(period.end - timedelta(days=rng.randint(0, 3)), self.today - timedelta(days=1))
        if end < start:
            # Too early in the period; the demo logins' goals are checked in this morning.
            return (self.today, self.today) if goal.min_check_ins else None
        if scenario in ("off_track", "cancelled"):
            end = start + timedelta(days=round((end - start).days * rng.uniform(0.3, 0.6)))
        return start, end

    def link(self, child: GoalPlan, parent: GoalPlan, kind=GoalLink.Kind.CONTRIBUTES) -> None:
        if parent.tier >= child.tier:
            raise ValueError("links point to a lower tier")
        if any(existing.parent is parent for existing in self.parents[child.key]):
            return
        weight = self.rng.choice(LINK_WEIGHTS) if kind == GoalLink.Kind.CONTRIBUTES else Decimal(1)
        link = LinkPlan(child, parent, kind, weight)
        self.plan.links.append(link)
        self.parents[child.key].append(link)

    def year(self) -> None:
        period = self.plan.periods["year"]
        for title in texts.YEAR_GOALS[: self.size.company_goals]:
            self.year_goals.append(
                self.goal(
                    period, title, Goal.Level.COMPANY, -1, self.cast["cpo"], kr_kind="company"
                )
            )

    def cascade(self, key: str) -> None:
        """One quarter's goals: company → units → product lines → products → teams."""
        period, rng, org = self.plan.periods[key], self.rng, self.org
        cpo = self.cast["cpo"]
        quarter_index = period.start.year * 4 + (period.start.month - 1) // 3
        company = []
        for i in range(self.size.company_goals):
            pillar, title, description = texts.COMPANY_GOALS[
                (quarter_index * 3 + i) % len(texts.COMPANY_GOALS)
            ]
            goal = self.goal(
                period,
                title,
                Goal.Level.COMPANY,
                0,
                cpo,
                kr_kind="company",
                description=description,
            )
            company.append(goal)
            year_period = self.plan.periods["year"]
            if period.overlaps(year_period) and self.year_goals:
                self.link(goal, self.year_goals[pillar % len(self.year_goals)])
        self.company_goals[key] = company

        for n, top in enumerate(self.tops):
            vp = org.person.get(top.leader_id)
            for j in range(2):
                title = texts.TOP_UNIT_GOALS[
                    (n * 2 + j + quarter_index) % len(texts.TOP_UNIT_GOALS)
                ]
                goal = self.goal(
                    period, title.format(unit=top.name), Goal.Level.BUSINESS_UNIT, 1, vp,
                    unit=top, kr_kind="unit",
                )  # fmt: skip
                self.unit_goals[(key, top.id)].append(goal)
                self.link(goal, company[(n + j) % len(company)])
                if rng.random() < 0.2:
                    self.link(goal, rng.choice(company))

        for n, sub in enumerate(self.subs):
            director = org.person.get(sub.leader_id)
            for j in range(2):
                title = texts.UNIT_GOALS[(n * 2 + j + quarter_index) % len(texts.UNIT_GOALS)]
                goal = self.goal(
                    period, title.format(unit=sub.name), Goal.Level.BUSINESS_UNIT, 2, director,
                    unit=sub, kr_kind="unit",
                )  # fmt: skip
                self.unit_goals[(key, sub.id)].append(goal)
                self.link(goal, rng.choice(self.unit_goals[(key, sub.parent_id)]))
                if rng.random() < 0.25:
                    self.link(goal, rng.choice(company))  # a goal with several parents
            heads = [p for p in org.people if p.role == HEAD and p.unit_id == sub.id]
            for head in heads:
                title = rng.choice(texts.HEAD_GOALS).format(unit=sub.name)
                goal = self.goal(
                    period, title, Goal.Level.BUSINESS_UNIT, 3, head, unit=sub, kr_kind="unit"
                )
                self.head_goal[(key, head.id)] = goal
                self.link(goal, rng.choice(self.unit_goals[(key, sub.id)]))

        for product in self.plan.products:
            if product.stage == "retired" and key != "last":
                continue
            self.product_goals(key, period, product)
        if key != "next":
            for sub in self.subs:
                for team in self.teams_of[sub.id]:
                    self.team_goals(key, period, sub, team)

    def product_goals(self, key: str, period: PeriodPlan, product: ProductPlan) -> None:
        rng = self.rng
        title = rng.choice(texts.PRODUCT_GOALS[product.stage]).format(product=product.name)
        extra = {}
        if key == "current" and product.owner is self.cast["pm"] and not self.demo_pm_goal:
            # The demo PM's goal: three key results, on track, checked in.
            extra = {"fixed_krs": 3, "scenario": "on_track", "min_check_ins": 2}
        goal = self.goal(
            period, title, Goal.Level.PRODUCT, 4, product.owner, product=product,
            unit=product.unit, team=product.team, kr_kind=product.stage, **extra,
        )  # fmt: skip
        self.product_goal[(key, product.key)] = goal
        self.demo_pm_goal = self.demo_pm_goal or bool(extra)
        head = self.org.above(product.owner, HEAD)
        parent = self.head_goal.get((key, head.id)) if head else None
        parent = parent or rng.choice(self.unit_goals[(key, product.unit.id)])
        if extra or rng.random() >= 0.08:  # else an orphan: aligned to nothing
            self.link(goal, parent)
            if rng.random() < 0.12:
                self.link(goal, rng.choice(self.unit_goals[(key, product.unit.id)]))
        if rng.random() < 0.15:
            other = rng.choice(self.subs)
            if other.id != product.unit.id:
                self.link(
                    goal, rng.choice(self.unit_goals[(key, other.id)]), GoalLink.Kind.SUPPORTS
                )

    def team_goals(self, key: str, period: PeriodPlan, unit: OrgUnit, team: OrgTeam) -> None:
        rng = self.rng
        lead = self.org.person.get(team.lead_id)
        if lead is None:
            return
        kind = team.kind if team.kind in texts.TEAM_GOALS else "product"
        title = rng.choice(texts.TEAM_GOALS[kind]).format(team=team.name)
        goal = self.goal(
            period, title, Goal.Level.TEAM, 5, lead, unit=unit, team=team, kr_kind=f"{kind}_team"
        )
        self.team_goal[(key, team.id)] = goal
        product_goals = [
            self.product_goal[(key, p.key)]
            for p in self.products_of_team[team.id]
            if (key, p.key) in self.product_goal
        ]
        unit_goals = self.unit_goals[(key, unit.id)]
        if rng.random() < 0.1:
            return  # an orphan
        if kind == "product":
            parents = product_goals[: 2 if rng.random() < 0.5 else 1] or [rng.choice(unit_goals)]
            for parent in parents:
                self.link(goal, parent)
        elif kind == "platform":
            self.link(goal, rng.choice(unit_goals))
            unit_product_goals = [
                self.product_goal[(key, p.key)]
                for t in self.teams_of[unit.id]
                for p in self.products_of_team[t.id]
                if (key, p.key) in self.product_goal
            ]
            for parent in rng.sample(unit_product_goals, min(2, len(unit_product_goals))):
                self.link(goal, parent, GoalLink.Kind.SUPPORTS)
        else:
            self.link(goal, rng.choice(unit_goals), GoalLink.Kind.SUPPORTS)

    def individuals(self) -> None:
        """Personal goals, many private; the demo PM has a private one this quarter."""
        rng, size = self.rng, self.size
        if size.goals is not None:
            total = size.goals - len(self.plan.goals) - 1
        else:
            total = size.individual_goals - 1
        if total < 0:
            raise ValueError("the size leaves no room for individual goals")
        owners = [p for p in self.org.people if p.role != CPO]
        rng.shuffle(owners)
        cycle = itertools.cycle(owners)
        pm = self.cast["pm"]
        self.individual(
            "current", pm, visibility=Goal.Visibility.PRIVATE, scenario="on_track", min_check_ins=2
        )
        counts = apportion(total, [round(share * 1000) for _, share in INDIVIDUAL_SHARES], [0] * 3)
        for (key, _), count in zip(INDIVIDUAL_SHARES, counts, strict=True):
            for _ in range(count):
                self.individual(key, next(cycle))

    def individual(self, key: str, person: OrgPerson, **extra) -> None:
        rng = self.rng
        period = self.plan.periods[key]
        visibility = extra.pop("visibility", None) or (
            Goal.Visibility.PRIVATE if rng.random() < 0.45 else Goal.Visibility.PUBLIC
        )
        goal = self.goal(
            period, rng.choice(texts.INDIVIDUAL_GOALS), Goal.Level.INDIVIDUAL, 6, person,
            unit=self.org.unit.get(person.unit_id), team=self.org.team.get(person.team_id),
            kr_kind="individual", visibility=visibility, **extra,
        )  # fmt: skip
        team_goal = self.team_goal.get((key, person.team_id)) if person.team_id else None
        if team_goal is not None and team_goal.owner is not person:
            roll = rng.random()
            if roll < 0.55:
                self.link(goal, team_goal)
            elif roll < 0.65:
                self.link(goal, team_goal, GoalLink.Kind.SUPPORTS)

    # -- key results -------------------------------------------------------------------
    def key_results(self) -> None:
        rng, goals = self.rng, self.plan.goals
        counts = [g.fixed_krs or rng.choice(KR_COUNTS) for g in goals]
        target = self.size.key_results
        if target is not None:
            # Nudge random goals up or down (1–5 key results each) to the exact total.
            adjustable = [i for i, g in enumerate(goals) if g.fixed_krs is None]
            while (gap := target - sum(counts)) != 0:
                i = rng.choice(adjustable)
                low = 2 if goals[i].owner in self.cast.values() else 1
                if gap > 0 and counts[i] < 5:
                    counts[i] += 1
                elif gap < 0 and counts[i] > low:
                    counts[i] -= 1
        for goal, count in zip(goals, counts, strict=True):
            templates = texts.KR_BY_GOAL_KIND[goal.kr_kind]
            chosen = rng.sample(templates, min(count, len(templates)))
            chosen += [rng.choice(templates) for _ in range(count - len(chosen))]
            for template in chosen:
                self.key_result(goal, template)

    def key_result(self, goal: GoalPlan, template: texts.KeyResultTemplate) -> None:
        rng = self.rng
        lo, hi = template.start
        start = round_to(rng.uniform(lo, hi), template.decimals)
        how, a, b = template.change
        step = Decimal(1).scaleb(-template.decimals)
        if how == "count":
            start, change = ZERO, Decimal(rng.randint(int(a), int(b)))
        elif how == "rel":
            change = round_to(float(start) * rng.uniform(a, b), template.decimals)
        else:
            change = round_to(rng.uniform(a, b), template.decimals)
        change = max(change, step)
        if template.direction == "decrease":
            change = min(change, start - step) if start > step else step
        target = start + change if template.direction == "increase" else start - change
        title = template.title.format(start=number_text(start), target=number_text(target))
        self.plan.key_results.append(
            KeyResultPlan(
                key=len(self.plan.key_results),
                goal=goal,
                title=title,
                unit=template.unit,
                direction=template.direction,
                start=start,
                target=target,
                decimals=template.decimals,
                weight=rng.choice(KR_WEIGHTS),
                metric=template.metric if self._follows_metric(goal, template) else "",
                final_fraction=self._final_fraction(goal),
                shape=rng.uniform(0.7, 1.5),
            )
        )

    def _follows_metric(self, goal: GoalPlan, template: texts.KeyResultTemplate) -> bool:
        """This quarter's product goals follow their metric, one key result per metric,
        where the key result counts in the metric's own unit: the demo's readings of the
        product are then shaped to agree with them (``roadmaps.demo.metrics``). Other
        key results are checked in by hand."""
        definition = texts.METRICS.get(template.metric)
        if definition is None or goal.product is None or goal.period.key != "current":
            return False
        if definition[1] != template.unit or (goal.key, template.metric) in self.following:
            return False
        self.following.add((goal.key, template.metric))
        return True

    def _final_fraction(self, goal: GoalPlan) -> float:
        """How far along a key result is at its last check-in, by its goal's scenario."""
        rng, scenario = self.rng, goal.scenario
        if goal.window is None:
            return 0.0
        elapsed = self._elapsed(goal.period, goal.window[1])
        if scenario == "achieved":
            return rng.uniform(1.0, 1.08)
        factor = {
            "on_track": (0.95, 1.3),
            "year": (0.8, 1.15),
            "at_risk": (0.5, 0.75),
            "off_track": (0.15, 0.4),
            "cancelled": (0.1, 0.4),
        }.get(scenario)
        if scenario == "missed":
            return rng.uniform(0.35, 0.8) * rng.uniform(0.85, 1.05)
        return min(elapsed * rng.uniform(*factor) * rng.uniform(0.85, 1.15), 1.1)

    def check_in_counts(self) -> None:
        """One check-in per cadence across each goal's window; scaled to the size's total."""
        natural, minimums = [], []
        for kr in self.plan.key_results:
            goal = kr.goal
            if goal.window is None:
                natural.append(0)
                minimums.append(0)
                continue
            days = (goal.window[1] - goal.window[0]).days
            n = days // CADENCE_DAYS[goal.cadence] + 1
            natural.append(max(n, goal.min_check_ins))
            minimums.append(max(1, goal.min_check_ins))
        target = self.size.check_ins
        counts = natural if target is None else apportion(target, natural, minimums)
        for kr, count in zip(self.plan.key_results, counts, strict=True):
            kr.check_ins = count

    # -- what the services would derive --------------------------------------------------
    def derive(self) -> None:
        """Key-result values and progress; goal progress (children first), status,
        confidence and last check-in — what replaying every check-in would leave."""
        plan = self.plan
        krs_of: dict[int, list[KeyResultPlan]] = defaultdict(list)
        latest_confident: dict[int, tuple[datetime, int]] = {}
        for kr in plan.key_results:
            readings = plan.readings(kr)
            kr.current = readings[-1].value if readings else kr.start
            kr.progress = key_result_progress(
                start=kr.start, target=kr.target, current=kr.current, direction=kr.direction
            )
            goal = kr.goal
            krs_of[goal.key].append(kr)
            if readings and (
                goal.last_check_in_at is None or readings[-1].at > goal.last_check_in_at
            ):
                goal.last_check_in_at = readings[-1].at
            for reading in reversed(readings):
                if reading.confidence is not None:
                    best = latest_confident.get(goal.key)
                    if best is None or reading.at > best[0]:
                        latest_confident[goal.key] = (reading.at, reading.confidence)
                    break
        children: dict[int, list[LinkPlan]] = defaultdict(list)
        for link in plan.links:
            if link.kind == GoalLink.Kind.CONTRIBUTES:
                children[link.parent.key].append(link)
        for goal in sorted(plan.goals, key=lambda g: (-g.tier, g.key)):
            terms = [(kr.progress, kr.weight) for kr in krs_of[goal.key]]
            terms += [(link.child.progress, link.weight) for link in children[goal.key]]
            goal.progress = weighted_progress(terms)
            goal.confidence = latest_confident.get(goal.key, (None, None))[1]
            goal.status = self._status(goal, has_children=bool(children[goal.key]))

    def _status(self, goal: GoalPlan, *, has_children: bool) -> str:
        S = Goal.Status
        scenario, period = goal.scenario, goal.period
        if scenario in ("draft", "cancelled"):
            return scenario
        if period.key == "last":
            return S.ACHIEVED if goal.progress >= 85 else S.MISSED
        if not has_children and scenario != "year":
            return scenario
        elapsed = self._elapsed(period)
        if goal.progress >= 100:
            return S.ACHIEVED
        if elapsed < 0.15:
            return scenario if scenario in (S.ON_TRACK, S.AT_RISK) else S.ON_TRACK
        ratio = float(goal.progress) / (elapsed * 100)
        if ratio >= 0.85:
            return S.ON_TRACK
        return S.AT_RISK if ratio >= 0.55 else S.OFF_TRACK

    # -- roadmaps ----------------------------------------------------------------------
    def roadmaps(self) -> None:
        rng, periods = self.rng, self.plan.periods
        low, high = self.size.roadmap_items
        H, St = RoadmapItem.Horizon, RoadmapItem.Status
        for product in self.plan.products:
            if product.stage == "retired":
                horizons = [H.NOW]
                titles = ["Switch-off plan and communications"]
            else:
                k = rng.randint(low, high)
                now = max(1, round(k * 0.4))
                nxt = min(k - now, max(1, round(k * 0.35)))
                horizons = [H.NOW] * now + [H.NEXT] * nxt + [H.LATER] * (k - now - nxt)
                pool = texts.SUNSET_INITIATIVES if product.stage == "sunset" else texts.INITIATIVES
                titles = rng.sample(pool, min(k, len(pool)))
                horizons = horizons[: len(titles)]
            for horizon, title in zip(horizons, titles, strict=True):
                if product.stage == "retired":
                    status = St.DONE
                elif horizon == H.NOW:
                    status = rng.choices(
                        (St.IN_PROGRESS, St.PLANNED, St.DONE, St.DROPPED), (55, 25, 15, 5)
                    )[0]
                elif horizon == H.NEXT:
                    status = rng.choices((St.PLANNED, St.IDEA, St.DROPPED), (80, 15, 5))[0]
                else:
                    status = rng.choices((St.IDEA, St.PLANNED), (85, 15))[0]
                item = RoadmapItemPlan(
                    product=product,
                    title=title,
                    description=f"{title} for {product.name}.",
                    horizon=horizon,
                    status=status,
                    owner=product.owner
                    if rng.random() < 0.75
                    else self.org.person.get(product.team.lead_id),
                    estimate_weeks=Decimal(rng.choice((1, 2, 3, 4, 6, 8, 10, 13))),
                )
                if horizon == H.NOW and product.stage != "retired":
                    if rng.random() < 0.5:
                        item.target_period = periods["current"]
                    goal = self.product_goal.get(("current", product.key))
                    if goal is not None:
                        item.goals.append(goal)
                    team_goal = self.team_goal.get(("current", product.team.id))
                    if team_goal is not None and rng.random() < 0.4:
                        item.goals.append(team_goal)
                elif horizon == H.NEXT:
                    if rng.random() < 0.5:
                        item.target_period = periods["next"]
                    goal = self.product_goal.get(("next", product.key))
                    if goal is not None and rng.random() < 0.5:
                        item.goals.append(goal)
                self.plan.roadmap_items.append(item)


def goals_plan(
    *,
    org: OrgView,
    size: str = "small",
    today: date,
    tz: tzinfo,
    seed: int = DEMO_SEED,
    policy_metric_keys: list[str] | None = None,
) -> GoalsPlan:
    """Plan the demo's strategy and goals for ``org``; same inputs, same plan."""
    planner = _Planner(
        org,
        GOALS_SIZES[size],
        today=today,
        tz=tz,
        seed=seed,
        policy_metric_keys=policy_metric_keys or [],
    )
    return planner.build()
