"""Writes to strategy, goals, products and roadmaps.

Progress is derived data kept current here: any change that moves a key result or a
contributing link recomputes the goals above it, in one transaction, with a number of
queries that depends on the goal's ancestors only — never on the organisation's size.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone

from productorg.errors import ApplicationError
from roles.services import protected_delete_message, validate_and_save

from .models import (
    STAGE_ORDER,
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    LifecycleStage,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    StagePolicy,
    Vision,
)
from .progress import key_result_progress, weighted_progress
from .selectors import goal_ancestor_links, goal_descendant_ids

# ---------------------------------------------------------------------------- progress


def goal_recompute_progress(*, goal_ids: list[int]) -> dict[int, Decimal]:
    """Recompute the progress of ``goal_ids`` and of every goal they contribute to.

    Five queries whatever the organisation's size: the ancestors (recursive CTE), a
    lock on the affected goals (in id order, so concurrent check-ins never deadlock),
    their key-result sums, their contributing links, and one bulk update. Goals are
    computed children first, so a parent sees its children's new values. Returns the
    new progress of each affected goal.
    """
    if not goal_ids:
        return {}
    edges = goal_ancestor_links(goal_ids=list(goal_ids))
    affected = set(goal_ids) | {parent for _, parent in edges}
    # Taking the locks before reading the terms means a concurrent check-in on a
    # sibling key result is either fully visible here or waits for us to commit.
    current = dict(
        Goal.objects.select_for_update()
        .filter(pk__in=affected)
        .order_by("pk")
        .values_list("pk", "progress")
    )
    kr_terms: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for goal_id, progress, weight in KeyResult.objects.filter(goal_id__in=affected).values_list(
        "goal_id", "progress", "weight"
    ):
        kr_terms[goal_id].append((progress, weight))
    child_links: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    for parent_id, child_id, weight, child_progress in GoalLink.objects.filter(
        parent_id__in=affected, kind=GoalLink.Kind.CONTRIBUTES
    ).values_list("parent_id", "child_id", "weight", "child__progress"):
        child_links[parent_id].append((child_id, weight, child_progress))

    # Children before parents (Kahn's algorithm over the affected goals only).
    pending_children = {goal_id: 0 for goal_id in affected}
    parents_of: dict[int, list[int]] = defaultdict(list)
    for parent_id, links in child_links.items():
        for child_id, _, _ in links:
            if child_id in affected:
                pending_children[parent_id] += 1
                parents_of[child_id].append(parent_id)
    ready = sorted(goal_id for goal_id, n in pending_children.items() if n == 0)
    computed: dict[int, Decimal] = {}
    while ready:
        goal_id = ready.pop()
        terms = list(kr_terms[goal_id])
        for child_id, weight, child_progress in child_links[goal_id]:
            terms.append((computed.get(child_id, child_progress), weight))
        computed[goal_id] = weighted_progress(terms)
        for parent_id in parents_of[goal_id]:
            pending_children[parent_id] -= 1
            if pending_children[parent_id] == 0:
                ready.append(parent_id)

    changed = [
        Goal(pk=pk, progress=value) for pk, value in computed.items() if current.get(pk) != value
    ]
    if changed:
        Goal.objects.bulk_update(changed, ["progress"])
    return computed


def _check_key_result_target(key_result: KeyResult) -> None:
    """The target lies on the side of the start that the direction calls better.

    The database refuses it too (a check constraint); this says so on the target field.
    """
    increase = key_result.direction == KeyResult.Direction.INCREASE
    start, target = Decimal(key_result.start_value), Decimal(key_result.target_value)
    if (increase and target < start) or (not increase and target > start):
        better = "above" if increase else "below"
        raise ApplicationError.for_field(
            "target_value",
            f"When {key_result.get_direction_display().lower()}, the target must be "
            f"{better} the start ({start.normalize():f}) or equal to it.",
        )


def _refresh_key_result_progress(key_result: KeyResult) -> None:
    key_result.progress = key_result_progress(
        start=key_result.start_value,
        target=key_result.target_value,
        current=key_result.current_value,
        direction=key_result.direction,
    )


# ------------------------------------------------------------------------------- goals


@transaction.atomic
def goal_create(*, acting_user=None, **fields: Any) -> Goal:
    """Create a goal. ``fields`` are Goal fields (title, level, owner, period, …)."""
    fields.pop("progress", None)
    goal = Goal(**fields)
    validate_and_save(goal, acting_user=acting_user)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, acting_user=None, **fields: Any) -> Goal:
    """Change a goal's own fields; its progress stays derived.

    Moving a goal to another period is refused while it is linked to goals whose period
    no longer overlaps.
    """
    fields.pop("progress", None)
    for name, value in fields.items():
        setattr(goal, name, value)
    if "period" in fields:
        _check_links_overlap_period(goal=goal)
    validate_and_save(goal, acting_user=acting_user)
    return goal


def _check_links_overlap_period(*, goal: Goal) -> None:
    linked_ids = set(GoalLink.objects.filter(child=goal).values_list("parent_id", flat=True))
    linked_ids |= set(GoalLink.objects.filter(parent=goal).values_list("child_id", flat=True))
    for other in Goal.objects.filter(pk__in=linked_ids).select_related("period"):
        if not goal.period.overlaps(other.period):
            raise ApplicationError.for_field(
                "period",
                f"“{other.title}” is in {other.period}, which does not overlap {goal.period}; unlink it first.",
            )


@transaction.atomic
def goal_delete(*, goal: Goal, acting_user=None) -> None:
    """Delete a goal; the goals it contributed to are recomputed without it."""
    parent_ids = list(goal.parent_links.values_list("parent_id", flat=True))
    goal.delete()
    goal_recompute_progress(goal_ids=parent_ids)


@transaction.atomic
def goal_link_create(
    *,
    child: Goal,
    parent: Goal,
    kind: str = GoalLink.Kind.CONTRIBUTES,
    weight: Decimal | int | str = 1,
    acting_user=None,
) -> GoalLink:
    """Align ``child`` to ``parent``.

    Refused when the link would close a cycle (the parent already aligns, directly or
    not, to the child), when the periods of the two goals do not overlap, or when the
    link exists already. Locks both goals so two concurrent links cannot together
    form a cycle.
    """
    list(
        Goal.objects.select_for_update()
        .filter(pk__in=[child.pk, parent.pk])
        .order_by("pk")
        .values_list("pk")
    )
    if child.pk == parent.pk:
        raise ApplicationError.for_field("parent", "A goal cannot align to itself.")
    if parent.pk in goal_descendant_ids(goal_id=child.pk):
        raise ApplicationError.for_field(
            "parent",
            f"“{parent.title}” already aligns to “{child.title}”; this link would form a cycle.",
        )
    if not child.period.overlaps(parent.period):
        raise ApplicationError.for_field(
            "parent",
            f"“{parent.title}” is in {parent.period}, which does not overlap {child.period} of “{child.title}”.",
        )
    if GoalLink.objects.filter(child=child, parent=parent).exists():
        raise ApplicationError.for_field(
            "parent", f"“{child.title}” already aligns to “{parent.title}”."
        )
    link = GoalLink(child=child, parent=parent, kind=kind, weight=Decimal(str(weight)))
    validate_and_save(link, acting_user=acting_user)
    if link.kind == GoalLink.Kind.CONTRIBUTES:
        goal_recompute_progress(goal_ids=[parent.pk])
    return link


@transaction.atomic
def goal_link_update(*, link: GoalLink, acting_user=None, **fields: Any) -> GoalLink:
    """Change a link's kind or weight; the parent's progress follows."""
    for name in ("kind", "weight"):
        if name in fields:
            setattr(link, name, fields[name])
    validate_and_save(link, acting_user=acting_user)
    goal_recompute_progress(goal_ids=[link.parent_id])
    return link


@transaction.atomic
def goal_link_delete(*, link: GoalLink, acting_user=None) -> None:
    parent_id = link.parent_id
    link.delete()
    goal_recompute_progress(goal_ids=[parent_id])


# ------------------------------------------------------------------------- key results


@transaction.atomic
def key_result_create(*, goal: Goal, acting_user=None, **fields: Any) -> KeyResult:
    """Add a key result to ``goal``; its current value starts at its start value."""
    fields.pop("progress", None)
    fields.setdefault("current_value", fields.get("start_value", Decimal("0")))
    key_result = KeyResult(goal=goal, **fields)
    _check_key_result_target(key_result)
    _refresh_key_result_progress(key_result)
    validate_and_save(key_result, acting_user=acting_user)
    goal_recompute_progress(goal_ids=[goal.pk])
    return key_result


@transaction.atomic
def key_result_update(*, key_result: KeyResult, acting_user=None, **fields: Any) -> KeyResult:
    fields.pop("progress", None)
    fields.pop("goal", None)
    for name, value in fields.items():
        setattr(key_result, name, value)
    _check_key_result_target(key_result)
    _refresh_key_result_progress(key_result)
    validate_and_save(key_result, acting_user=acting_user)
    goal_recompute_progress(goal_ids=[key_result.goal_id])
    return key_result


@transaction.atomic
def key_result_delete(*, key_result: KeyResult, acting_user=None) -> None:
    goal_id = key_result.goal_id
    key_result.delete()
    goal_recompute_progress(goal_ids=[goal_id])


@transaction.atomic
def check_in_create(
    *,
    key_result: KeyResult,
    author,
    value: Decimal | int | float | str,
    confidence: int | None = None,
    note: str = "",
    acting_user=None,
    at=None,
) -> CheckIn:
    """Record a reading of ``key_result``: moves it, its goal and every goal above it.

    The key result's row is locked for the update so that two check-ins on the same
    key result apply one after the other; the goals are locked by
    :func:`goal_recompute_progress`.
    """
    try:
        value = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ApplicationError.for_field("value", "Enter a number.") from exc
    key_result = KeyResult.objects.select_for_update().select_related("goal").get(pk=key_result.pk)
    if key_result.goal.status == Goal.Status.CANCELLED:
        raise ApplicationError.for_field(
            "value", "This goal is cancelled; it takes no more check-ins."
        )
    now = at or timezone.now()
    check_in = CheckIn(
        key_result=key_result,
        author=author,
        value=value,
        confidence=confidence,
        note=note,
        created_at=now,
    )
    # The key result was just locked and the author is a loaded row: no need to re-query them.
    validate_and_save(check_in, acting_user=acting_user, exclude=["key_result", "author"])
    key_result.current_value = value
    _refresh_key_result_progress(key_result)
    KeyResult.objects.filter(pk=key_result.pk).update(
        current_value=key_result.current_value, progress=key_result.progress, updated_at=now
    )
    goal_fields = {"last_check_in_at": now}
    if confidence is not None:
        goal_fields["confidence"] = confidence
    Goal.objects.filter(pk=key_result.goal_id).update(**goal_fields)
    goal_recompute_progress(goal_ids=[key_result.goal_id])
    return check_in


# ---------------------------------------------------------------------------- products


@transaction.atomic
def product_create(*, acting_user=None, **fields: Any) -> Product:
    """Create a product; its first stage is recorded as a transition from nothing."""
    stage = fields.pop("stage", LifecycleStage.DISCOVERY)
    product = Product(stage=stage, stage_changed_at=timezone.now(), **fields)
    validate_and_save(product, acting_user=acting_user)
    ProductStageTransition.objects.create(
        product=product,
        from_stage="",
        to_stage=stage,
        changed_at=product.stage_changed_at,
        changed_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        reason="Product created.",
    )
    return product


@transaction.atomic
def product_update(*, product: Product, acting_user=None, **fields: Any) -> Product:
    """Change a product's fields; the stage only changes through :func:`product_transition`."""
    if "stage" in fields and fields["stage"] != product.stage:
        raise ApplicationError.for_field(
            "stage", "Change the lifecycle stage with a transition, giving a reason."
        )
    fields.pop("stage", None)
    before = (product.team_id, product.business_unit_id)
    for name, value in fields.items():
        setattr(product, name, value)
    validate_and_save(product, acting_user=acting_user)
    if (product.team_id, product.business_unit_id) != before:
        # Its readings now count towards another team or unit: recompute their buckets.
        from .rollups import product_mark_for_rollup

        product_mark_for_rollup(product_id=product.pk)
    return product


@transaction.atomic
def product_transition(
    *, product: Product, to_stage: str, reason: str = "", acting_user=None, at=None
) -> Product:
    """Move ``product`` to another lifecycle stage and log who, when and why.

    Moving backwards (or out of retirement) needs a reason; so does retiring.
    """
    product = Product.objects.select_for_update().get(pk=product.pk)
    if to_stage not in STAGE_ORDER:
        raise ApplicationError.for_field("to_stage", f"Unknown lifecycle stage “{to_stage}”.")
    if to_stage == product.stage:
        raise ApplicationError.for_field(
            "to_stage", f"The product is already in {product.get_stage_display()}."
        )
    backwards = STAGE_ORDER.index(to_stage) < STAGE_ORDER.index(product.stage)
    reason = (reason or "").strip()
    if not reason and (backwards or to_stage == LifecycleStage.RETIRED):
        what = (
            "leave retirement" if product.stage == LifecycleStage.RETIRED else "move back a stage"
        )
        if to_stage == LifecycleStage.RETIRED:
            what = "retire a product"
        raise ApplicationError.for_field("reason", f"Give a reason to {what}.")
    now = at or timezone.now()
    ProductStageTransition.objects.create(
        product=product,
        from_stage=product.stage,
        to_stage=to_stage,
        changed_at=now,
        changed_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        reason=reason,
    )
    product.stage = to_stage
    product.stage_changed_at = now
    validate_and_save(product, acting_user=acting_user)
    return product


# ------------------------------------------------------------------- visions, periods


@transaction.atomic
def vision_save(*, vision: Vision | None = None, acting_user=None, **fields: Any) -> Vision:
    """Create or change a vision; history keeps every earlier version."""
    vision = vision or Vision()
    for name, value in fields.items():
        setattr(vision, name, value)
    if not isinstance(vision.pillars, list) or not all(isinstance(p, str) for p in vision.pillars):
        raise ApplicationError.for_field("pillars", "Give the strategy pillars as a list of texts.")
    validate_and_save(vision, acting_user=acting_user)
    return vision


@transaction.atomic
def period_create(*, acting_user=None, **fields: Any) -> Period:
    period = Period(**fields)
    _check_period_dates(period)
    validate_and_save(period, acting_user=acting_user)
    return period


# ---------------------------------------------------------------------------- roadmap


@transaction.atomic
def roadmap_item_save(
    *,
    item: RoadmapItem | None = None,
    goals: list[Goal] | None = None,
    acting_user=None,
    **fields: Any,
) -> RoadmapItem:
    """Create or change a roadmap item and the goals it serves."""
    item = item or RoadmapItem()
    for name, value in fields.items():
        setattr(item, name, value)
    validate_and_save(item, acting_user=acting_user)
    if goals is not None:
        item.goals.set(goals)
    return item


# ------------------------------------------------------------------ deletes, periods


def _delete(instance, *, acting_user=None) -> None:
    """Delete ``instance``, recording who did; refused (never half done) while referenced."""
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        instance._history_user = acting_user
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ApplicationError(protected_delete_message(instance, exc)) from exc


@transaction.atomic
def product_delete(*, product: Product, acting_user=None) -> None:
    """Delete a product with its stage log, visions and roadmap; its goals stay, unlinked."""
    _delete(product, acting_user=acting_user)


def _check_period_dates(period: Period) -> None:
    """A period ends after it starts (the database's rule, said on the end field)."""
    if period.start and period.end and period.end <= period.start:
        raise ApplicationError.for_field("end", "A period ends after it starts.")


@transaction.atomic
def period_update(*, period: Period, acting_user=None, **fields: Any) -> Period:
    """Rename or re-date a period.

    New dates are refused while a goal of the period aligns with a goal of another
    period that they would no longer overlap (the rule :func:`goal_link_create` keeps).
    """
    list(Period.objects.select_for_update().filter(pk=period.pk).values_list("pk"))
    for name, value in fields.items():
        setattr(period, name, value)
    _check_period_dates(period)
    if "start" in fields or "end" in fields:
        linked = (
            Period.objects.filter(
                Q(goals__parent_links__parent__period=period)
                | Q(goals__child_links__child__period=period)
            )
            .exclude(pk=period.pk)
            .distinct()
        )
        for other in linked:
            if not period.overlaps(other):
                raise ApplicationError(
                    f"Goals of {period} align with goals of {other}, which the new dates "
                    "would no longer overlap; unlink them first.",
                    field_errors={
                        "start": [f"The period must still overlap {other}."],
                        "end": [f"The period must still overlap {other}."],
                    },
                )
    validate_and_save(period, acting_user=acting_user)
    return period


@transaction.atomic
def period_delete(*, period: Period, acting_user=None) -> None:
    """Delete a period no goal is in; roadmap items aimed at it keep their horizon only."""
    _delete(period, acting_user=acting_user)


@transaction.atomic
def vision_delete(*, vision: Vision, acting_user=None) -> None:
    """Delete a vision; its history (every earlier version) stays."""
    _delete(vision, acting_user=acting_user)


@transaction.atomic
def roadmap_item_delete(*, item: RoadmapItem, acting_user=None) -> None:
    """Take an initiative off its product's roadmap."""
    _delete(item, acting_user=acting_user)


@transaction.atomic
def stage_policy_update(*, policy: StagePolicy, acting_user=None, **fields: Any) -> StagePolicy:
    """Change what a lifecycle stage asks of its products: review cadence, expected metrics.

    The stage is the policy's identity and stays; metric keys are slugs, kept once each
    in the order given.
    """
    fields.pop("stage", None)
    for name, value in fields.items():
        setattr(policy, name, value)
    keys = policy.expected_metric_keys
    if not isinstance(keys, list) or not all(
        isinstance(key, str) and slug_re.fullmatch(key) for key in keys
    ):
        raise ApplicationError.for_field(
            "expected_metric_keys",
            "Give metric keys such as weekly_active_users: letters, digits, - and _ only.",
        )
    policy.expected_metric_keys = list(dict.fromkeys(keys))
    validate_and_save(policy, acting_user=acting_user)
    return policy
