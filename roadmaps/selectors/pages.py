"""Reads of the goal and product pages."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404

from roles.models import BusinessUnit, Person

from ..models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    StagePolicy,
    Vision,
)
from .core import (
    _viewer_subtree_ids,
    goal_ancestor_links,
    goal_visibility_q,
    goal_visible_queryset,
    product_stage_history,
)
from .lists import product_list

# --- Browser pages ------------------------------------------------------------------
# Reads of the goal and product pages (roadmaps/views.py). Each returns what its page
# shows in a fixed number of queries, whatever the number of goals or check-ins; goal
# visibility is decided by goal_visibility_q, or for goals already loaded by
# goal_is_visible (no query once the viewer's subtree is known).

# Company goals first, individual goals last (the order of Goal.Level).
GOAL_LEVEL_RANK = {level: rank for rank, level in enumerate(Goal.Level.values)}


def goal_is_visible(*, user, goal: Goal) -> bool:
    """Whether ``user`` may see ``goal``, a row already loaded (the rule of goal_visibility_q)."""
    subtree = _viewer_subtree_ids(user=user)
    return (
        subtree is None
        or goal.visibility == Goal.Visibility.PUBLIC
        or (goal.owner_id is not None and goal.owner_id in subtree)
    )


def goal_level_order():
    """An ORDER BY expression ranking levels from company down to individual."""
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in GOAL_LEVEL_RANK.items()),
        output_field=IntegerField(),
    )


def period_choices() -> list[Period]:
    """Every period, newest first, for the period switchers (one query)."""
    return list(Period.objects.order_by("-start", "end", "id"))


def goal_list_for_period(
    *,
    user,
    period: Period,
    business_unit_id: int | None = None,
    product_id: int | None = None,
    owner_id: int | None = None,
) -> QuerySet[Goal]:
    """The goals of ``period`` that ``user`` may see and that match every filter given.

    The filters are those of :func:`alignment_tree`: an exact unit, product or owner.
    """
    qs = goal_visible_queryset(user=user).filter(period=period)
    if business_unit_id is not None:
        qs = qs.filter(business_unit_id=business_unit_id)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs.order_by(goal_level_order(), "title", "id")


def goal_period_summary(*, goals: QuerySet[Goal]) -> dict:
    """Counts and average progress of ``goals`` (one aggregate query)."""
    return goals.order_by().aggregate(
        total=Count("id"),
        average=Avg("progress"),
        behind=Count("id", filter=Q(status__in=[Goal.Status.AT_RISK, Goal.Status.OFF_TRACK])),
    )


def alignment_filter_choices(*, user, period: Period) -> dict[str, list]:
    """The units, products and owners of the goals ``user`` sees in ``period`` (three queries).

    Only what can match is offered, and the owner of a private goal the viewer may not
    see is not named.
    """
    goals = Goal.objects.filter(goal_visibility_q(user=user), period=period).order_by()
    return {
        "units": list(
            BusinessUnit.objects.filter(pk__in=goals.values("business_unit_id")).order_by(
                "name", "id"
            )
        ),
        "products": list(
            Product.objects.filter(pk__in=goals.values("product_id")).order_by("name", "id")
        ),
        "owners": list(
            Person.objects.filter(pk__in=goals.values("owner_id")).order_by("full_name", "id")
        ),
    }


def goal_visible_parent_ids(*, user, goals: QuerySet[Goal]) -> dict[int, list[tuple[int, str]]]:
    """``{child_id: [(parent_id, kind), …]}`` for ``goals``, naming only parents ``user``
    may see (one query)."""
    visible_parents = Goal.objects.filter(goal_visibility_q(user=user)).values("id")
    rows = (
        GoalLink.objects.filter(child_id__in=goals.order_by().values("id"))
        .filter(parent_id__in=visible_parents)
        .order_by("child_id", "parent_id")
        .values_list("child_id", "parent_id", "kind")
    )
    parents: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for child_id, parent_id, kind in rows:
        parents[child_id].append((parent_id, kind))
    return parents


def goal_key_results(*, goal: Goal) -> list[KeyResult]:
    """The key results of ``goal`` in the order they were added (one query)."""
    return list(KeyResult.objects.filter(goal=goal).select_related("metric").order_by("id"))


def goal_recent_check_ins(*, goal: Goal, per_key_result: int = 30) -> list[CheckIn]:
    """The latest ``per_key_result`` check-ins of each key result of ``goal``, newest first.

    One query however many check-ins there are: a window function numbers each key
    result's check-ins and only the newest are read.
    """
    return list(
        CheckIn.objects.filter(key_result__goal=goal)
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("key_result_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(recency__lte=per_key_result)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def goal_links_for_page(*, user, goal: Goal) -> tuple[list[GoalLink], list[GoalLink]]:
    """The goals ``goal`` aligns to and the goals aligned to it (one query).

    Each link carries ``other`` (the goal at its far end) and ``other_visible``; a
    private goal the viewer may not see is listed without its title, like
    :func:`goal_progress_explain` does.
    """
    links = (
        GoalLink.objects.filter(Q(child=goal) | Q(parent=goal))
        .select_related("child__owner", "parent__owner")
        .order_by("kind", "id")
    )
    up, down = [], []
    for link in links:
        if link.child_id == goal.pk:
            link.other = link.parent
            up.append(link)
        else:
            link.other = link.child
            down.append(link)
        link.other_visible = goal_is_visible(user=user, goal=link.other)
    return up, down


def goal_align_candidates(*, user, goal: Goal, limit: int = 500) -> list[Goal]:
    """Goals ``goal`` could newly align to: visible, of an overlapping period, at a higher
    level, not linked to it yet (one query; the service refuses cycles)."""
    rank = GOAL_LEVEL_RANK[goal.level]
    higher = [level for level, r in GOAL_LEVEL_RANK.items() if r < rank]
    if not higher:
        return []
    return list(
        goal_visible_queryset(user=user)
        .filter(
            level__in=higher,
            period__start__lte=goal.period.end,
            period__end__gte=goal.period.start,
        )
        .exclude(pk=goal.pk)
        .exclude(child_links__child=goal)
        .order_by(goal_level_order(), "title", "id")[:limit]
    )


def key_result_get_for_check_in(*, user, key_result_id: int) -> KeyResult:
    """A key result with its goal, if ``user`` may see the goal; otherwise 404 (one query)."""
    key_result = (
        KeyResult.objects.select_related("goal__owner", "goal__period")
        .filter(pk=key_result_id)
        .first()
    )
    if key_result is None or not goal_is_visible(user=user, goal=key_result.goal):
        raise Http404("No such key result.")
    return key_result


def goal_same_owner_ancestors(*, goal: Goal) -> list[Goal]:
    """The goals above ``goal`` that its owner also owns in the same period (two queries):
    the ones a page of that owner's goals shows beside it, whose progress a check-in moves."""
    if goal.owner_id is None:
        return []
    ids = {parent for _, parent in goal_ancestor_links(goal_ids=[goal.pk])}
    if not ids:
        return []
    return list(Goal.objects.filter(pk__in=ids, owner_id=goal.owner_id, period_id=goal.period_id))


def product_get_for_page(*, product_id: int) -> Product:
    """A product with its unit, team and owner; 404 when there is none (products are
    visible to every member)."""
    product = product_list().filter(pk=product_id).first()
    if product is None:
        raise Http404("No such product.")
    return product


def product_goals_for_page(*, user, product: Product, limit: int = 50) -> list[Goal]:
    """The goals of ``product`` that ``user`` may see, newest period first (one query)."""
    return list(
        goal_visible_queryset(user=user)
        .filter(product=product)
        .order_by("-period__start", goal_level_order(), "title", "id")[:limit]
    )


def product_roadmap(*, user, product: Product) -> list[RoadmapItem]:
    """The roadmap items of ``product`` with their owner and period, and ``visible_goals``,
    the goals each serves that ``user`` may see (two queries)."""
    return list(
        RoadmapItem.objects.filter(product=product)
        .select_related("owner", "target_period")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.filter(goal_visibility_q(user=user)).order_by("title", "id"),
                to_attr="visible_goals",
            )
        )
        .order_by("target_period__start", "title", "id")
    )


def product_stage_history_for_page(*, product: Product) -> list[ProductStageTransition]:
    """The stage log of ``product``, newest first, with who made each move (one query)."""
    return list(product_stage_history(product=product).select_related("changed_by__person"))


def product_vision_and_policy(*, product: Product):
    """The product's vision (or None) and what its current stage asks of it (two queries)."""
    vision = Vision.objects.filter(product=product).first()
    policy = StagePolicy.objects.filter(stage=product.stage).first()
    return vision, policy
