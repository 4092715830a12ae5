"""Planning the demo's strategy around the goals: metrics, products and visions.

Products are spread over the business units' product teams and owned by their PMs, in
every lifecycle stage, each with a stage history dated back from today (created in
discovery, moved forward with reasons, a few stepping back once). Visions: the company's
(written once, then revised), every unit's and every live product's.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.utils.text import slugify

from roles.demo import APM, DIRECTOR, GPM, HEAD, PM, PRINCIPAL_PM, SENIOR_PM, split

from ..models import STAGE_ORDER
from . import texts
from .org import OrgPerson, OrgTeam, OrgUnit, OrgView
from .rows import GoalsPlan, MetricPlan, ProductPlan, TransitionPlan, VisionPlan, apportion

if TYPE_CHECKING:
    from .plan import GoalsDemoSize

PRODUCT_OWNER_ROLES = (PRINCIPAL_PM, SENIOR_PM, PM)
STAGE_WEIGHTS = {
    "discovery": 12,
    "launch": 12,
    "pmf": 15,
    "growth": 27,
    "maturity": 20,
    "sunset": 9,
    "retired": 5,
}
ACTIVE_STAGES = ("launch", "pmf", "growth", "maturity")


class StrategyPlanner:
    """What the goals planner builds on: the organisation's shape, a seeded generator,
    and the metrics, products and visions of the plan."""

    def __init__(
        self,
        org: OrgView,
        size: GoalsDemoSize,
        *,
        today: date,
        tz: tzinfo,
        seed: int,
        policy_metric_keys: list[str],
    ):
        self.org = org
        self.size = size
        self.today = today
        self.rng = random.Random(f"{seed}-goals-{size.name}")
        self.plan = GoalsPlan(size=size, today=today, tz=tz, seed=seed)
        self.policy_metric_keys = policy_metric_keys
        self.cast = org.cast()
        self.tops = [u for u in org.units if u.parent_id is None]
        self.subs = [u for u in org.units if u.parent_id is not None]
        self.teams_of: dict[int, list[OrgTeam]] = defaultdict(list)
        for team in org.teams:
            self.teams_of[team.unit_id].append(team)
        self.members: dict[int, list[OrgPerson]] = defaultdict(list)
        for person in org.people:
            if person.team_id is not None:
                self.members[person.team_id].append(person)
        self.products_of_team: dict[int, list[ProductPlan]] = defaultdict(list)

    def metrics(self) -> None:
        data_lead = next((p for p in self.org.people if p.role == "Data Science Manager"), None)
        keys = list(dict.fromkeys([*self.policy_metric_keys, *texts.METRICS]))
        for key in keys:
            name, unit, aggregation, direction, description = texts.METRICS.get(
                key, (key.replace("_", " ").capitalize(), "", "sum", "higher", "")
            )
            self.plan.metrics.append(
                MetricPlan(key, name, unit, aggregation, direction, description, data_lead)
            )

    # -- products ----------------------------------------------------------------------
    def products(self) -> None:
        rng = self.rng
        product_teams = {
            u.id: [t for t in self.teams_of[u.id] if t.kind == "product"] for u in self.subs
        }
        counts = split(rng, self.size.products, [len(product_teams[u.id]) for u in self.subs])
        stages = []
        for stage, n in zip(
            STAGE_WEIGHTS,
            apportion(self.size.products, list(STAGE_WEIGHTS.values()), [0] * len(STAGE_WEIGHTS)),
            strict=True,
        ):
            stages += [stage] * n
        rng.shuffle(stages)
        stage_iter = iter(stages)
        slugs: set[str] = set()
        for unit, count in zip(self.subs, counts, strict=True):
            teams = product_teams[unit.id]
            names = self._product_names(unit)
            owners = {t.id: itertools.cycle(self._product_owners(t)) for t in teams}
            for j in range(count):
                team = teams[j % len(teams)]
                name = next(names)
                slug, n = slugify(name), 1
                while slug in slugs:
                    n += 1
                    slug = f"{slugify(name)}-{n}"
                slugs.add(slug)
                product = ProductPlan(
                    key=len(self.plan.products),
                    name=name,
                    slug=slug,
                    unit=unit,
                    team=team,
                    owner=next(owners[team.id]),
                    stage=next(stage_iter),
                )
                self.plan.products.append(product)
                self.products_of_team[team.id].append(product)
        self._give_the_demo_pm_a_product()
        for product in self.plan.products:
            self._stage_history(product)
            statement = texts.PRODUCT_VISION_TEMPLATES[product.stage].format(product=product.name)
            product.vision = statement

    def _product_names(self, unit: OrgUnit) -> Iterator[str]:
        yield from texts.PRODUCT_NAMES.get(unit.name, ())
        nouns = list(texts.PRODUCT_NOUNS)
        self.rng.shuffle(nouns)
        yield from (f"{unit.name} {noun}" for noun in nouns)
        for edition in texts.PRODUCT_EDITIONS:
            yield from (f"{unit.name} {noun} {edition}" for noun in nouns)
        yield from (f"{unit.name} Product {n}" for n in itertools.count(1))

    def _product_owners(self, team: OrgTeam) -> list[OrgPerson]:
        members = self.members[team.id]
        for roles in (PRODUCT_OWNER_ROLES, (APM, GPM)):
            owners = [p for p in members if p.role in roles]
            if owners:
                return owners
        lead = self.org.person.get(team.lead_id)
        if lead is None:
            raise ValueError(f"Team {team.name} has nobody to own a product.")
        return [lead]

    def _give_the_demo_pm_a_product(self) -> None:
        """The demo PM owns an active product (so their pages have goals to show)."""
        pm = self.cast["pm"]
        owned = [p for p in self.plan.products if p.owner.id == pm.id]
        if not owned:
            product = next(p for p in self.plan.products if p.team.id == pm.team_id)
            product.owner = pm
            owned = [product]
        product = owned[0]
        if product.stage not in ACTIVE_STAGES:
            other = next(
                p for p in self.plan.products if p.stage == "growth" and p.owner.id != pm.id
            )
            product.stage, other.stage = other.stage, product.stage

    def _stage_history(self, product: ProductPlan) -> None:
        """Discovery → … → the product's stage, some with a step back, dated back from today."""
        rng = self.rng
        path = STAGE_ORDER[: STAGE_ORDER.index(product.stage) + 1]
        if product.stage in ("growth", "maturity") and rng.random() < 0.15:
            back = path[-2]
            path = [*path, back, product.stage]
        head = self.org.above(product.owner, HEAD) or self.org.above(product.owner, DIRECTOR)
        moves: list[tuple[str, str, str, OrgPerson | None]] = [
            ("", path[0], "Product created.", head)
        ]
        for before, after in itertools.pairwise(path):
            backwards = STAGE_ORDER.index(after) < STAGE_ORDER.index(before)
            reasons = texts.BACKWARD_REASONS[after] if backwards else texts.STAGE_REASONS[after]
            who = head if backwards or after == "retired" else product.owner
            moves.append((before, after, rng.choice(reasons), who))
        day = self.today - timedelta(days=rng.randint(15, 240))
        dated = []
        for before, after, reason, who in reversed(moves):
            at = datetime.combine(
                day, time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=self.plan.tz
            )
            dated.append(TransitionPlan(before, after, at, reason, who))
            day -= timedelta(days=rng.randint(50, 300))
        product.transitions = dated[::-1]

    # -- visions -----------------------------------------------------------------------
    def visions(self) -> None:
        year, rng = self.today.year, self.rng
        statement, pillars = texts.COMPANY_VISION
        first_statement, first_pillars = texts.COMPANY_VISION_FIRST
        self.plan.visions.append(
            VisionPlan(
                "company",
                statement,
                list(pillars),
                f"{year}–{year + 2}",
                first_version=(first_statement, list(first_pillars), f"{year - 1}–{year + 1}"),
            )
        )
        for unit in self.org.units:
            if unit.name in texts.TOP_UNIT_VISIONS:
                statement, pillars = texts.TOP_UNIT_VISIONS[unit.name]
                pillars = list(pillars)
            else:
                statement = rng.choice(texts.UNIT_VISION_TEMPLATES).format(unit=unit.name)
                pillars = rng.sample(texts.UNIT_PILLARS, rng.randint(2, 3))
            horizon = f"{year}–{year + (2 if unit.parent_id is None else 1)}"
            self.plan.visions.append(
                VisionPlan("business_unit", statement, pillars, horizon, unit=unit)
            )
        for product in self.plan.products:
            if product.stage != "retired":
                self.plan.visions.append(
                    VisionPlan(
                        "product",
                        product.vision,
                        list(texts.PRODUCT_PILLARS[product.stage]),
                        str(year),
                        product=product,
                    )
                )
