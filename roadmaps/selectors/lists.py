"""The API's lists of strategy objects, each restricted by goal visibility."""

from __future__ import annotations

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from roles.models import Person
from roles.selectors import user_is_hr_admin

from ..models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    Vision,
)
from .core import (
    _viewer_subtree_ids,
    goal_visibility_q,
    product_can_edit,
)

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
