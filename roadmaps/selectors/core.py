"""Goal visibility, progress explanations and the alignment tree.

This is where goal visibility is decided.

Private goals are visible to their owner, the owner's management chain and HR admins
(DESIGN.md, "Who may see and do what"); every goal read for a user goes through
:func:`goal_visible_queryset`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Q,
    QuerySet,
)
from django.http import Http404
from django_cte import CTE, with_cte

from roles.models import Person
from roles.selectors import person_for_user, person_subtree_id_list, user_is_hr_admin

from ..models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    Period,
    Product,
    ProductStageTransition,
)
from ..progress import ZERO, quantize


def _viewer_subtree_ids(*, user) -> list[int] | None:
    """Ids of the viewer and everyone under them; None for HR admins (no restriction)."""
    if user_is_hr_admin(user=user):
        return None
    cached = getattr(user, "_subtree_ids", None)
    if cached is None:
        viewer = person_for_user(user=user)
        cached = [] if viewer is None else person_subtree_id_list(root=viewer)
        user._subtree_ids = cached
    return cached


def goal_visibility_q(*, user) -> Q:
    """A filter keeping the goals ``user`` may see (public ones, and private ones they may)."""
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return Q()
    return Q(visibility=Goal.Visibility.PUBLIC) | Q(owner_id__in=subtree)


def goal_visible_queryset(*, user) -> QuerySet[Goal]:
    """Every goal ``user`` may see, with what lists show already joined."""
    return (
        Goal.objects.filter(goal_visibility_q(user=user))
        .select_related("owner", "period", "product", "business_unit", "team")
        .order_by("period__start", "level", "title", "id")
    )


def goal_get_visible(*, user, goal_id: int) -> Goal:
    """The goal if ``user`` may see it; otherwise 404 (never reveal that it exists)."""
    goal = goal_visible_queryset(user=user).filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such goal.")
    return goal


def goal_can_edit(*, user, goal: Goal) -> bool:
    """Owners edit their goals; managers edit what their subtree owns; HR edits all."""
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    return goal.owner_id is not None and goal.owner_id in subtree


def product_can_edit(*, user, product: Product) -> bool:
    """A product's owner and their management chain edit it; HR admins too."""
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    return product.owner_id is not None and product.owner_id in subtree


def goal_ancestor_links(
    *, goal_ids: list[int], contributing_only: bool = True
) -> list[tuple[int, int]]:
    """``(child_id, parent_id)`` edges from ``goal_ids`` up to the top (one query).

    UNION (not UNION ALL) keeps each edge once, so the walk ends even on a diamond of
    links that several paths reach.
    """
    if not goal_ids:
        return []
    kind = Q(kind=GoalLink.Kind.CONTRIBUTES) if contributing_only else Q()

    def make(cte):
        return (
            GoalLink.objects.filter(kind, child_id__in=goal_ids)
            .order_by()
            .values("child_id", "parent_id")
            .union(
                cte.join(GoalLink, child_id=cte.col.parent_id)
                .filter(kind)
                .order_by()
                .values("child_id", "parent_id"),
                all=False,
            )
        )

    cte = CTE.recursive(make, name="goal_up")
    rows = with_cte(cte, select=cte.queryset()).values_list("child_id", "parent_id")
    return sorted(set(rows))


def goal_descendant_ids(*, goal_id: int) -> set[int]:
    """Ids of every goal aligned, directly or not, to ``goal_id`` (any link kind; one query)."""

    def make(cte):
        return (
            GoalLink.objects.filter(parent_id=goal_id)
            .order_by()
            .values("child_id")
            .union(
                cte.join(GoalLink, parent_id=cte.col.child_id).order_by().values("child_id"),
                all=False,
            )
        )

    cte = CTE.recursive(make, name="goal_down")
    return set(with_cte(cte, select=cte.queryset()).values_list("child_id", flat=True))


@dataclass
class ProgressTerm:
    """One term of a goal's progress: a key result or a child goal."""

    kind: str  # "key_result" or "goal"
    id: int
    title: str
    progress: Decimal
    weight: Decimal
    counted: bool = True
    share: Decimal = ZERO  # the term's normalised weight, 0–1
    contribution: Decimal = ZERO  # share × progress, in percentage points
    hidden: bool = False  # a private child goal the viewer may not see


@dataclass
class ProgressExplanation:
    goal_id: int
    progress: Decimal
    terms: list[ProgressTerm] = field(default_factory=list)

    @property
    def counted_terms(self) -> list[ProgressTerm]:
        return [t for t in self.terms if t.counted]

    @property
    def total_weight(self) -> Decimal:
        return sum((t.weight for t in self.counted_terms), ZERO)

    @property
    def formula(self) -> str:
        counted = self.counted_terms
        if not counted:
            return "No key results or contributing goals yet: progress is 0%."
        parts = " + ".join(f"{t.progress}% × {t.weight}" for t in counted)
        return f"({parts}) ÷ {self.total_weight} = {self.progress}%"


def goal_progress_explain(*, user, goal: Goal) -> ProgressExplanation:
    """How ``goal.progress`` was computed, term by term (three queries).

    Key results and contributing child goals are counted with their weights normalised
    to shares of one; supporting child goals are listed as not counted. A private child
    goal the viewer may not see is shown without its title.
    """
    explanation = ProgressExplanation(goal_id=goal.pk, progress=goal.progress)
    for kr in KeyResult.objects.filter(goal=goal).order_by("id"):
        explanation.terms.append(
            ProgressTerm(
                kind="key_result", id=kr.pk, title=kr.title, progress=kr.progress, weight=kr.weight
            )
        )
    visible = goal_visibility_q(user=user)
    visible_child_ids = set(
        Goal.objects.filter(visible, parent_links__parent=goal).values_list("id", flat=True)
    )
    links = GoalLink.objects.filter(parent=goal).select_related("child").order_by("kind", "id")
    for link in links:
        hidden = link.child_id not in visible_child_ids
        explanation.terms.append(
            ProgressTerm(
                kind="goal",
                id=link.child_id,
                title="A private goal" if hidden else link.child.title,
                progress=link.child.progress,
                weight=link.weight,
                counted=link.kind == GoalLink.Kind.CONTRIBUTES,
                hidden=hidden,
            )
        )
    total = explanation.total_weight
    for term in explanation.counted_terms:
        term.share = (term.weight / total) if total else ZERO
        term.contribution = quantize(term.share * term.progress)
    return explanation


def key_result_check_ins(*, key_result: KeyResult, limit: int = 100) -> QuerySet[CheckIn]:
    return key_result.check_ins.select_related("author").order_by("-created_at", "-id")[:limit]


@dataclass
class AlignmentNode:
    goal: Goal
    link_kind: str | None = None
    children: list[AlignmentNode] = field(default_factory=list)


@dataclass
class AlignmentTree:
    period: Period
    roots: list[AlignmentNode]
    orphans: list[Goal]
    goal_count: int


def alignment_tree(
    *,
    user,
    period: Period,
    business_unit_id: int | None = None,
    product_id: int | None = None,
    owner_id: int | None = None,
) -> AlignmentTree:
    """The period's goals as a forest from the company goals down (two queries).

    A goal aligned to several parents appears under each. Non-company goals that align
    to nothing visible are the orphans. Filters keep the goals that match and the
    branches leading to them.
    """
    goals = {g.pk: g for g in goal_visible_queryset(user=user).filter(period=period)}
    links = GoalLink.objects.filter(
        parent_id__in=goals.keys(), child_id__in=goals.keys()
    ).values_list("parent_id", "child_id", "kind")
    children: dict[int, list[tuple[int, str]]] = defaultdict(list)
    has_parent: set[int] = set()
    for parent_id, child_id, kind in links:
        children[parent_id].append((child_id, kind))
        has_parent.add(child_id)

    filtered = any(v is not None for v in (business_unit_id, product_id, owner_id))

    def matches(goal: Goal) -> bool:
        return (
            (business_unit_id is None or goal.business_unit_id == business_unit_id)
            and (product_id is None or goal.product_id == product_id)
            and (owner_id is None or goal.owner_id == owner_id)
        )

    def build(goal_id: int, kind: str | None, path: frozenset[int]) -> AlignmentNode | None:
        goal = goals[goal_id]
        node = AlignmentNode(goal=goal, link_kind=kind)
        for child_id, child_kind in sorted(
            children.get(goal_id, ()), key=lambda c: goals[c[0]].title
        ):
            if child_id in path:
                continue
            child = build(child_id, child_kind, path | {child_id})
            if child is not None:
                node.children.append(child)
        if filtered and not node.children and not matches(goal):
            return None
        return node

    roots = []
    for goal in goals.values():
        if goal.level == Goal.Level.COMPANY and goal.pk not in has_parent:
            node = build(goal.pk, None, frozenset({goal.pk}))
            if node is not None:
                roots.append(node)
    orphans = [
        g
        for g in goals.values()
        if g.level != Goal.Level.COMPANY and g.pk not in has_parent and (not filtered or matches(g))
    ]
    return AlignmentTree(period=period, roots=roots, orphans=orphans, goal_count=len(goals))


def period_current(*, today=None) -> Period | None:
    """The shortest period containing today (a quarter before its half or year)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    periods = Period.objects.filter(start__lte=today, end__gte=today)
    return min(periods, key=lambda p: p.end - p.start, default=None)


def product_stage_history(*, product: Product) -> QuerySet[ProductStageTransition]:
    return product.stage_transitions.select_related("changed_by").order_by("-changed_at", "-id")


def goals_owned_by(*, user, person: Person, period: Period | None = None) -> QuerySet[Goal]:
    qs = goal_visible_queryset(user=user).filter(owner=person).prefetch_related("key_results")
    if period is not None:
        qs = qs.filter(period=period)
    return qs
