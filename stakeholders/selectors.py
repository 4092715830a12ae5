"""Reads of stakeholders, alignment, reviews, decisions and notifications; this is where
who may see and change them is decided.

Visibility (DESIGN.md, "Who may see and do what"):

- stakeholders are a directory every signed-in member reads;
- alignments, reviews and decisions about products, public goals (or nothing at all)
  are read by every member; anything attached to a private goal only by those who may
  see that goal (:func:`roadmaps.selectors.goal_visibility_q`, re-rooted at the row's
  ``goal``) — to anyone else it does not exist;
- one-to-one and career reviews, and any review about a person, are private: seen by
  the person it is about, its owner, its participants, the management chains above
  each of them, and HR admins;
- notifications are seen by their recipient only (HR admins included: nobody reads
  somebody else's inbox).

Every list below is filtered by the database, with what its rows show joined or
prefetched, so a page costs the same number of queries for fifty rows or five thousand.
The viewer's subtree is read once per request and cached on the user
(:func:`roadmaps.selectors._viewer_subtree_ids`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from roadmaps.models import Goal, Metric, Product
from roadmaps.selectors import (
    _via,
    _viewer_subtree_ids,
    goal_can_edit,
    goal_visibility_q,
    product_can_edit,
)
from roles.models import Person
from roles.selectors import person_for_user, person_subtree_ids, user_is_hr_admin

from .models import Alignment, Decision, Notification, Review, Stakeholder

PRIVATE_REVIEW_KINDS = (Review.Kind.ONE_TO_ONE, Review.Kind.CAREER_REVIEW)


def _none_or_visible_goal(*, user, relation: str = "goal") -> Q:
    """Rows attached to no goal, or to a goal ``user`` may see (``Q()`` for HR admins)."""
    visible = goal_visibility_q(user=user)
    if not visible:  # HR admins: no restriction (an empty Q would swallow the OR)
        return Q()
    return Q(**{f"{relation}__isnull": True}) | _via(visible, relation)


def _get_or_404(queryset: QuerySet, pk, what: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No such {what}.")
    return obj


# --- Stakeholders --------------------------------------------------------------------


def stakeholder_list() -> QuerySet[Stakeholder]:
    """Every stakeholder with its person joined, by ``sort_name`` (the contact's name, or
    the person's full name when the contact has none)."""
    return (
        Stakeholder.objects.select_related("person")
        .annotate(sort_name=Coalesce(NullIf(F("name"), Value("")), F("person__full_name")))
        .order_by("sort_name", "id")
    )


def stakeholder_get(*, stakeholder_id: int) -> Stakeholder:
    return _get_or_404(stakeholder_list(), stakeholder_id, "stakeholder")


def stakeholder_can_edit(*, user) -> bool:
    """HR admins, and product owners with their management chains (one query, cached).

    They are the ones who keep stakeholders aligned; the directory is shared across
    products, so a member who owns no product (and manages nobody who does) reads it.
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    cached = getattr(user, "_leads_a_product", None)
    if cached is None:
        cached = bool(subtree) and Product.objects.filter(owner_id__in=subtree).exists()
        user._leads_a_product = cached
    return cached


def stakeholder_can_delete(*, user) -> bool:
    """HR admins only: deleting a stakeholder removes their alignments on every product."""
    return user_is_hr_admin(user=user)


# --- Alignments ----------------------------------------------------------------------


def alignment_visibility_q(*, user) -> Q:
    """Alignments ``user`` may see: on a product, or on a goal they may see."""
    return _none_or_visible_goal(user=user)


def alignment_list(*, user) -> QuerySet[Alignment]:
    """Visible alignments with stakeholder (and person), product and goal joined, the
    touchpoints due first."""
    return (
        Alignment.objects.filter(alignment_visibility_q(user=user))
        .select_related("stakeholder__person", "product", "goal")
        .order_by(F("next_touchpoint_due").asc(nulls_last=True), "id")
    )


def alignment_get_visible(*, user, alignment_id: int) -> Alignment:
    """The alignment if ``user`` may see it; otherwise 404 (never reveal that it exists)."""
    return _get_or_404(alignment_list(user=user), alignment_id, "alignment")


def alignment_can_manage(*, user, product: Product | None, goal: Goal | None) -> bool:
    """Whether ``user`` may create, change or delete an alignment on ``product`` or ``goal``:
    HR admins, and whoever may edit the product or the goal (its owner and their chain)."""
    if product is not None:
        return product_can_edit(user=user, product=product)
    if goal is not None:
        return goal_can_edit(user=user, goal=goal)
    return user_is_hr_admin(user=user)


def alignment_can_confirm(*, user, alignment: Alignment) -> bool:
    """Whether ``user`` may confirm (or change) where the stakeholder stands.

    A stakeholder who is a person of the organisation confirms their own alignment, and
    nobody confirms for them. An external contact has no login: whoever manages the
    alignment records the touchpoint on their behalf.
    """
    stakeholder = alignment.stakeholder
    if stakeholder.person_id is not None:
        return (
            user is not None
            and user.is_authenticated
            and stakeholder.person.user_id is not None
            and stakeholder.person.user_id == user.pk
        )
    return alignment_can_manage(user=user, product=alignment.product, goal=alignment.goal)


# --- Reviews -------------------------------------------------------------------------


def review_private_q() -> Q:
    """Reviews that are private: one-to-ones, career reviews, and any review about a person."""
    return Q(kind__in=PRIVATE_REVIEW_KINDS) | Q(person__isnull=False)


def review_is_private(review: Review) -> bool:
    return review.kind in PRIVATE_REVIEW_KINDS or review.person_id is not None


def review_visibility_q(*, user) -> Q:
    """Reviews ``user`` may see.

    A review on a private goal only if they may see the goal; a private review only if
    the person it is about, its owner or one of its participants is in their subtree
    (they are that person, or in the chain above them).
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return Q()
    takes_part = Exists(
        Review.participants.through.objects.filter(review_id=OuterRef("pk"), person_id__in=subtree)
    )
    may_see_private = Q(person_id__in=subtree) | Q(owner_id__in=subtree) | takes_part
    not_private = Q(person__isnull=True) & ~Q(kind__in=PRIVATE_REVIEW_KINDS)
    return _none_or_visible_goal(user=user) & (not_private | may_see_private)


def review_list(*, user) -> QuerySet[Review]:
    """Visible reviews with owner, subject and who completed them joined, and their
    participants prefetched (one more query per page), soonest due first."""
    return (
        Review.objects.filter(review_visibility_q(user=user))
        .select_related("owner", "person", "goal", "product", "completed_by__person")
        .prefetch_related(
            Prefetch("participants", queryset=Person.objects.order_by("full_name", "id"))
        )
        .order_by("due_at", "id")
    )


def review_get_visible(*, user, review_id: int) -> Review:
    """The review if ``user`` may see it; otherwise 404."""
    return _get_or_404(review_list(user=user), review_id, "review")


def review_can_edit(*, user, review: Review) -> bool:
    """The owner, the owner's management chain and HR admins change and complete a review.

    Participants and the person a review is about read it.
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    return review.owner_id in subtree


# --- Decisions -----------------------------------------------------------------------


def decision_visibility_q(*, user) -> Q:
    """Decisions ``user`` may see: all but those linked to a private goal they may not see."""
    return _none_or_visible_goal(user=user)


def decision_list(*, user) -> QuerySet[Decision]:
    """Visible decisions, newest first, with who decided, product and goal joined and the
    consulted stakeholders and metrics prefetched (two more queries per page)."""
    return (
        Decision.objects.filter(decision_visibility_q(user=user))
        .select_related("decided_by", "product", "goal")
        .prefetch_related(
            Prefetch("consulted", queryset=Stakeholder.objects.order_by("id")),
            Prefetch("metrics", queryset=Metric.objects.order_by("id")),
        )
        .order_by("-decided_on", "-id")
    )


def decision_get_visible(*, user, decision_id: int) -> Decision:
    return _get_or_404(decision_list(user=user), decision_id, "decision")


def decision_can_edit(
    *, user, product: Product | None, goal: Goal | None, decided_by: Person | None
) -> bool:
    """Who may record or change a decision with these links.

    HR admins; whoever may edit the linked product or the linked goal; for a decision
    linked to neither, the person who decided and their management chain.
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    if product is not None or goal is not None:
        return (product is not None and product_can_edit(user=user, product=product)) or (
            goal is not None and goal_can_edit(user=user, goal=goal)
        )
    return decided_by is not None and decided_by.pk in subtree


# --- Notifications -------------------------------------------------------------------


def notification_list(*, user) -> QuerySet[Notification]:
    """``user``'s own notifications, newest first; none for a login without a person."""
    person = person_for_user(user=user)
    if person is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-id")


def notification_get_own(*, user, notification_id: int) -> Notification:
    """One of ``user``'s notifications; anybody else's answers 404."""
    return _get_or_404(notification_list(user=user), notification_id, "notification")


def notification_unread_count(*, user) -> int:
    """Unread in-app notifications of ``user`` (the bell's number; one query)."""
    return (
        notification_list(user=user)
        .filter(channel=Notification.Channel.IN_APP, read_at__isnull=True)
        .count()
    )


# --- Pages: stakeholder map, reviews, misses, calendar feed ---------------------------

# Worst first: the map colours a stakeholder by the most worrying of their alignments.
ALIGNMENT_STATUS_RANK = {
    Alignment.Status.BLOCKING: 5,
    Alignment.Status.CONCERNED: 4,
    Alignment.Status.NEUTRAL: 3,
    Alignment.Status.SUPPORTIVE: 2,
    Alignment.Status.ALIGNED: 1,
}


def stakeholder_map_points(*, alignments: QuerySet[Alignment]) -> list[dict]:
    """One row per stakeholder among ``alignments``: name, influence, interest, how many
    alignments, the most worrying status and the earliest touchpoint due (one query,
    grouped by the database)."""
    rank = Case(
        *(When(status=status, then=Value(n)) for status, n in ALIGNMENT_STATUS_RANK.items()),
        output_field=IntegerField(),
    )
    by_rank = {n: status for status, n in ALIGNMENT_STATUS_RANK.items()}
    rows = (
        alignments.order_by()
        .values(
            "stakeholder_id",
            "stakeholder__name",
            "stakeholder__person__full_name",
            "stakeholder__influence",
            "stakeholder__interest",
            "stakeholder__function",
        )
        .annotate(worst=Max(rank), alignments=Count("id"), due=Min("next_touchpoint_due"))
        .order_by("-stakeholder__influence", "-stakeholder__interest", "stakeholder_id")
    )
    return [
        {
            "id": row["stakeholder_id"],
            "name": row["stakeholder__name"] or row["stakeholder__person__full_name"] or "",
            "influence": row["stakeholder__influence"],
            "interest": row["stakeholder__interest"],
            "function": row["stakeholder__function"],
            "status": by_rank[row["worst"]],
            "alignments": row["alignments"],
            "due": row["due"],
        }
        for row in rows
    ]


def review_mine_q(*, person: Person) -> Q:
    """Reviews ``person`` owns, takes part in, or that are about them."""
    takes_part = Exists(
        Review.participants.through.objects.filter(review_id=OuterRef("pk"), person_id=person.pk)
    )
    return Q(owner_id=person.pk) | Q(person_id=person.pk) | takes_part


def review_series_occurrences(*, review: Review) -> QuerySet[Review]:
    """Every occurrence of ``review``'s series, newest first (one query)."""
    root_id = review.series_root_id
    return (
        Review.objects.filter(Q(pk=root_id) | Q(series_id=root_id))
        .select_related("completed_by__person")
        .order_by("-occurrence")
    )


def review_with_misses_in_a_row(queryset: QuerySet[Review]) -> QuerySet[Review]:
    """``queryset`` with ``misses_in_a_row``: how many occurrences of each review's series,
    up to and including it, were missed one after another (as
    ``services.review_consecutive_misses``, computed inside the list query)."""
    root = Coalesce(F("series_id"), F("id"))
    same_series = Q(pk=OuterRef("series_root")) | Q(series_id=OuterRef("series_root"))
    last_kept = (
        Review.objects.filter(same_series, missed=False, occurrence__lte=OuterRef("occurrence"))
        .order_by("-occurrence")
        .values("occurrence")[:1]
    )
    in_a_row = (
        Review.objects.filter(
            same_series,
            occurrence__gt=OuterRef("last_kept"),
            occurrence__lte=OuterRef("occurrence"),
        )
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    return queryset.annotate(series_root=root).annotate(
        last_kept=Coalesce(Subquery(last_kept), Value(0)),
        misses_in_a_row=Coalesce(Subquery(in_a_row, output_field=IntegerField()), Value(0)),
    )


def review_misses_under(*, user, leader: Person | None) -> QuerySet[Review]:
    """Overdue reviews (goal check-ins included) owned by ``leader`` or anyone under them
    that ``user`` may see, the longest run of misses first, then the oldest due."""
    queryset = review_list(user=user).filter(status=Review.Status.OVERDUE)
    if leader is not None:
        queryset = queryset.filter(owner_id__in=person_subtree_ids(root=leader))
    return review_with_misses_in_a_row(queryset).order_by("-misses_in_a_row", "due_at", "id")


def reviews_for_calendar_feed(*, person: Person, now, past_days: int = 90, limit: int = 1000):
    """The reviews on ``person``'s calendar feed: those they own or take part in, from
    ``past_days`` ago on, soonest first, at most ``limit`` (two queries)."""
    takes_part = Exists(
        Review.participants.through.objects.filter(review_id=OuterRef("pk"), person_id=person.pk)
    )
    return (
        Review.objects.filter(Q(owner_id=person.pk) | takes_part)
        .filter(due_at__gte=now - timedelta(days=past_days))
        .select_related("owner", "person", "goal", "product")
        .prefetch_related(
            Prefetch("participants", queryset=Person.objects.order_by("full_name", "id"))
        )
        .order_by("due_at", "id")[:limit]
    )
