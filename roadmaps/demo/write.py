"""Writing a :class:`~roadmaps.demo.plan.GoalsPlan` with ``bulk_create``, and deleting it.

Rows arrive with what the services derive already computed by the planner (progress,
status, confidence, last check-in), so 500,000 check-ins cost a few bulk inserts
instead of half a million recomputations. History rows are written for every model
that keeps history, as the services would; check-ins, which keep none, are streamed in
chunks so the large demo never holds them all as model instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import models, transaction
from simple_history.utils import bulk_create_with_history

from productorg.errors import ApplicationError
from roles.demo import CHANGE_REASON, ProgressCallback, demo_org_is_demo

from ..models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    Metric,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    Vision,
)
from ..services import vision_save
from .plan import GoalsPlan

BATCH = 2_000
CHECK_IN_CHUNK = 10_000


@dataclass(frozen=True)
class GoalsDemoSummary:
    products: int
    goals: int
    links: int
    key_results: int
    check_ins: int
    roadmap_items: int


def _validated(objs: list[models.Model]) -> list[models.Model]:
    """Field validation (lengths, choices, ranges) without a query per row."""
    if objs:
        model = type(objs[0])
        exclude = [f.name for f in model._meta.concrete_fields if f.is_relation] + ["id"]
        for obj in objs:
            obj.clean_fields(exclude=exclude)
    return objs


def _with_history(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    return bulk_create_with_history(
        _validated(objs), model, batch_size=BATCH, default_change_reason=CHANGE_REASON
    )


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def goals_plan_write(
    *, plan: GoalsPlan, progress: ProgressCallback | None = None
) -> GoalsDemoSummary:
    """Write ``plan``: periods, metrics, products and their stage logs, visions, goals,
    links, key results, check-ins and roadmap items."""
    check_in_total = plan.check_in_count
    total = (
        len(plan.products)
        + len(plan.goals)
        + len(plan.links)
        + len(plan.key_results)
        + check_in_total
        + len(plan.roadmap_items)
    )
    done = 0

    def step(n: int, label: str) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total, label)

    periods = {}
    for key, p in plan.periods.items():
        periods[key], _ = Period.objects.get_or_create(
            name=p.name, defaults={"kind": p.kind, "start": p.start, "end": p.end}
        )
    existing_metrics = set(Metric.objects.values_list("key", flat=True))
    _with_history(
        Metric,
        [
            Metric(
                key=m.key,
                name=m.name,
                unit=m.unit,
                aggregation=m.aggregation,
                direction=m.direction,
                description=m.description,
                owner_id=m.owner.id if m.owner else None,
            )
            for m in plan.metrics
            if m.key not in existing_metrics
        ],
    )
    metrics = dict(Metric.objects.values_list("key", "id"))

    products = {}
    for chunk in _chunks(plan.products, BATCH):
        objs = [
            Product(
                name=p.name,
                slug=p.slug,
                business_unit_id=p.unit.id,
                team_id=p.team.id,
                owner_id=p.owner.id,
                vision_statement=p.vision,
                stage=p.stage,
                stage_changed_at=p.transitions[-1].at,
            )
            for p in chunk
        ]
        for p, obj in zip(chunk, _with_history(Product, objs), strict=True):
            products[p.key] = obj.pk
        step(len(chunk), "products")
    ProductStageTransition.objects.bulk_create(
        [
            ProductStageTransition(
                product_id=products[p.key],
                from_stage=t.from_stage,
                to_stage=t.to_stage,
                changed_at=t.at,
                changed_by_id=t.by.user_id if t.by else None,
                reason=t.reason,
            )
            for p in plan.products
            for t in p.transitions
        ],
        batch_size=BATCH,
    )

    _write_visions(plan, products)

    goals = {}
    for chunk in _chunks(plan.goals, BATCH):
        objs = [
            Goal(
                title=g.title,
                description=g.description,
                level=g.level,
                owner_id=g.owner.id if g.owner else None,
                product_id=products[g.product.key] if g.product else None,
                business_unit_id=g.unit.id if g.unit else None,
                team_id=g.team.id if g.team else None,
                period_id=periods[g.period.key].pk,
                status=g.status,
                confidence=g.confidence,
                visibility=g.visibility,
                check_in_cadence=g.cadence,
                progress=g.progress,
                last_check_in_at=g.last_check_in_at,
            )
            for g in chunk
        ]
        for g, obj in zip(chunk, _with_history(Goal, objs), strict=True):
            goals[g.key] = obj.pk
        step(len(chunk), "goals")

    for chunk in _chunks(plan.links, BATCH):
        objs = [
            GoalLink(
                child_id=goals[link.child.key],
                parent_id=goals[link.parent.key],
                kind=link.kind,
                weight=link.weight,
            )
            for link in chunk
        ]
        _with_history(GoalLink, objs)
        step(len(chunk), "goal links")

    key_results = {}
    for chunk in _chunks(plan.key_results, BATCH):
        objs = [
            KeyResult(
                goal_id=goals[kr.goal.key],
                title=kr.title,
                metric_id=metrics.get(kr.metric) if kr.metric else None,
                unit=kr.unit,
                start_value=kr.start,
                target_value=kr.target,
                current_value=kr.current,
                direction=kr.direction,
                weight=kr.weight,
                progress=kr.progress,
            )
            for kr in chunk
        ]
        for kr, obj in zip(chunk, _with_history(KeyResult, objs), strict=True):
            key_results[kr.key] = obj.pk
        step(len(chunk), "key results")

    def check_ins() -> Iterator[CheckIn]:
        for kr in plan.key_results:
            author_id = kr.goal.owner.id if kr.goal.owner else None
            for reading in plan.readings(kr):
                yield CheckIn(
                    key_result_id=key_results[kr.key],
                    author_id=author_id,
                    value=reading.value,
                    confidence=reading.confidence,
                    note=reading.note,
                    created_at=reading.at,
                )

    for chunk in _chunks(check_ins(), CHECK_IN_CHUNK):
        CheckIn.objects.bulk_create(chunk, batch_size=BATCH)
        step(len(chunk), "check-ins")

    through = RoadmapItem.goals.through
    for chunk in _chunks(plan.roadmap_items, BATCH):
        objs = [
            RoadmapItem(
                product_id=products[item.product.key],
                title=item.title,
                description=item.description,
                horizon=item.horizon,
                target_period_id=periods[item.target_period.key].pk if item.target_period else None,
                status=item.status,
                owner_id=item.owner.id if item.owner else None,
                estimate_weeks=item.estimate_weeks,
            )
            for item in chunk
        ]
        saved = _with_history(RoadmapItem, objs)
        through.objects.bulk_create(
            [
                through(roadmapitem_id=obj.pk, goal_id=goals[goal.key])
                for item, obj in zip(chunk, saved, strict=True)
                for goal in item.goals
            ],
            batch_size=BATCH,
        )
        step(len(chunk), "roadmap items")

    return GoalsDemoSummary(
        products=len(plan.products),
        goals=len(plan.goals),
        links=len(plan.links),
        key_results=len(plan.key_results),
        check_ins=check_in_total,
        roadmap_items=len(plan.roadmap_items),
    )


def _write_visions(plan: GoalsPlan, products: dict[int, int]) -> None:
    """Unit and product visions in bulk; the company vision as first written, then
    revised through the service, so its history shows the change."""
    company = next(v for v in plan.visions if v.scope == Vision.Scope.COMPANY)
    others = [v for v in plan.visions if v is not company]
    _with_history(
        Vision,
        [
            Vision(
                scope=v.scope,
                business_unit_id=v.unit.id if v.unit else None,
                product_id=products[v.product.key] if v.product else None,
                statement=v.statement,
                pillars=v.pillars,
                horizon=v.horizon,
            )
            for v in others
        ],
    )
    if Vision.objects.filter(scope=Vision.Scope.COMPANY).exists():
        return  # the company's own vision stays
    statement, pillars, horizon = company.first_version
    first = vision_save(
        scope=Vision.Scope.COMPANY, statement=statement, pillars=pillars, horizon=horizon
    )
    vision_save(
        vision=first, statement=company.statement, pillars=company.pillars, horizon=company.horizon
    )


@transaction.atomic
def demo_goals_delete() -> None:
    """Delete the demo's strategy and goals (products, visions, periods, metrics…).

    Refused unless the organisation is the demo's (see :func:`roles.demo.demo_org_is_demo`),
    so a real organisation's goals are never wiped by mistake. Lifecycle stage
    policies are reference data and stay.
    """
    if not demo_org_is_demo():
        raise ApplicationError(
            "The organisation is not the demo (it has people outside the demo, or none); "
            "refusing to delete its goals."
        )
    CheckIn.objects.all().delete()
    RoadmapItem.objects.all().delete()
    GoalLink.objects.all().delete()
    KeyResult.objects.all().delete()
    Goal.objects.all().delete()
    Vision.objects.all().delete()
    Product.objects.all().delete()
    Metric.objects.all().delete()
    Period.objects.all().delete()
