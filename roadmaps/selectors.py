"""Reads of strategy and goals; this is where goal visibility is decided.

Private goals are visible to their owner, the owner's management chain and HR admins
(DESIGN.md, "Who may see and do what"); every goal read for a user goes through
:func:`goal_visible_queryset`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django_cte import CTE, with_cte

from roles.models import BusinessUnit, Person
from roles.selectors import person_for_user, person_subtree, user_is_hr_admin

from .models import (
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
from .progress import ZERO, quantize


def _viewer_subtree_ids(*, user) -> list[int] | None:
    """Ids of the viewer and everyone under them; None for HR admins (no restriction)."""
    if user_is_hr_admin(user=user):
        return None
    cached = getattr(user, "_subtree_ids", None)
    if cached is None:
        viewer = person_for_user(user=user)
        cached = (
            [] if viewer is None else list(person_subtree(root=viewer).values_list("id", flat=True))
        )
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


# --- API lists ----------------------------------------------------------------------
# Each list joins what its rows show, so a page costs the same number of queries for
# fifty rows or five thousand. Whatever hangs off a goal (links, key results, check-ins,
# roadmap items) is restricted by that goal's visibility, decided by goal_visibility_q.


def _via(q: Q, relation: str) -> Q:
    """``q`` (a filter on Goal) re-rooted at ``relation`` (e.g. ``"key_result__goal"``).

    Keeps :func:`goal_visibility_q` the one place where goal visibility is written down.
    """
    rerooted = Q()
    rerooted.connector, rerooted.negated = q.connector, q.negated
    rerooted.children = [
        _via(child, relation) if isinstance(child, Q) else (f"{relation}__{child[0]}", child[1])
        for child in q.children
    ]
    return rerooted


def user_may_assign_owner(*, user, owner: Person | None) -> bool:
    """Whether ``user`` may make ``owner`` the owner of a goal or a product.

    Members give goals and products to themselves or to someone in their subtree; only
    HR admins leave them without an owner or give them to anybody.
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    return owner is not None and owner.pk in subtree


def product_list() -> QuerySet[Product]:
    """Every product with its unit, team and owner joined in (one query per page)."""
    return Product.objects.select_related("business_unit", "team", "owner").order_by("name", "id")


def product_list_with_stage_history() -> QuerySet[Product]:
    """:func:`product_list` with each product's stage transitions (one more query)."""
    return product_list().prefetch_related(
        Prefetch(
            "stage_transitions",
            queryset=ProductStageTransition.objects.select_related("changed_by__person").order_by(
                "-changed_at", "-id"
            ),
        )
    )


def period_list() -> QuerySet[Period]:
    return Period.objects.order_by("start", "end", "id")


def vision_can_edit(*, user, scope: str, product: Product | None) -> bool:
    """HR admins write every vision; a product's owner and their chain write its vision."""
    if user_is_hr_admin(user=user):
        return True
    return (
        scope == Vision.Scope.PRODUCT
        and product is not None
        and product_can_edit(user=user, product=product)
    )


def vision_list() -> QuerySet[Vision]:
    """Every vision with its subject joined in and ``history_count``, its saved versions."""
    versions = (
        Vision.history.model.objects.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(n=Count("history_id"))
        .values("n")
    )
    return (
        Vision.objects.select_related("business_unit", "product")
        .annotate(history_count=Coalesce(Subquery(versions, output_field=IntegerField()), 0))
        .order_by("scope", "id")
    )


def vision_versions(*, vision: Vision) -> QuerySet:
    """Every saved version of ``vision``, newest first, with who saved it."""
    return vision.history.select_related("history_user__person").order_by(
        "-history_date", "-history_id"
    )


def goal_link_list(*, user) -> QuerySet[GoalLink]:
    """Links whose two goals ``user`` may both see (a link would reveal a private goal)."""
    visible = goal_visibility_q(user=user)
    return (
        GoalLink.objects.filter(_via(visible, "child"), _via(visible, "parent"))
        .select_related("child", "parent")
        .order_by("id")
    )


def key_result_list(*, user) -> QuerySet[KeyResult]:
    """Key results of the goals ``user`` may see, with their goal and metric joined in."""
    return (
        KeyResult.objects.filter(_via(goal_visibility_q(user=user), "goal"))
        .select_related("goal", "metric")
        .order_by("goal_id", "id")
    )


def check_in_list(*, user) -> QuerySet[CheckIn]:
    """Check-ins on the key results of goals ``user`` may see, newest first."""
    return (
        CheckIn.objects.filter(_via(goal_visibility_q(user=user), "key_result__goal"))
        .select_related("key_result__goal", "author")
        .order_by("-created_at", "-id")
    )


def roadmap_item_list(*, user) -> QuerySet[RoadmapItem]:
    """Roadmap items with what a row shows; ``goals`` lists only the goals ``user`` may see."""
    return (
        RoadmapItem.objects.select_related("product", "target_period", "owner")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.filter(goal_visibility_q(user=user)).order_by("id"),
            )
        )
        .order_by("product__name", "horizon", "title", "id")
    )


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
