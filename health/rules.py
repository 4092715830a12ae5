"""The rules of alignment health: one function per kind of finding.

Everything is computed over the leader's subtree (``roles.selectors.person_subtree_ids``,
the reporting-line closure's ids, which each query embeds as a subquery), with a fixed number of SQL
queries whatever the size of the subtree: one or two per kind of finding, never one
per row.

The rules, one per :class:`~health.models.FindingKind`:

- **goal_unaligned** — checked: goals of the current period(s) (a period containing
  ``today``) owned by someone in the subtree, not company-level and not cancelled;
  failing: those with no parent link (no ``GoalLink`` where they are the child).
- **goal_no_check_in** — checked: current goals of the subtree still in play (not
  achieved, missed or cancelled); failing: the last check-in is older than the goal's
  check-in cadence (``CADENCE_DAYS``), or there was none and the goal was created
  longer than that ago.
- **goal_no_owner** — checked: current goals of the subtree; failing: their owner has
  left (inactive).
- **product_missing_metrics** — checked: products owned in the subtree, not retired,
  whose stage expects metrics (``StagePolicy.expected_metric_keys``); failing: an
  expected metric has no reading for that product in the last
  :data:`METRIC_FRESHNESS_DAYS` days (read from the product's day roll-ups,
  ``MetricRollup`` scope product, grain day: one row per day with a reading).
- **product_no_lifecycle_review** — checked: products owned in the subtree, not
  retired, whose stage has a review cadence (``StagePolicy.review_cadence``); failing: no lifecycle review was done within the stage's review cadence
  and none is scheduled, not yet overdue, within the next cadence.
- **stakeholder_blocking** — checked: alignments on those products and on the current
  goals of the subtree; failing: the stakeholder is blocking.
- **stakeholder_unconfirmed** — checked: the same alignments; failing: the next
  touchpoint is past due, or there is no touchpoint date and the alignment was last
  confirmed (or, never confirmed, created) longer than its cadence ago.
- **seat_no_budget** — checked: open seats reporting to someone in the subtree;
  failing: no budgeted annual cost. Costs themselves are never read.
- **span_out_of_range** — checked: active people in the subtree with at least one
  active direct report; failing: their number of active direct reports is outside
  ``settings.HEALTH_SPAN_MIN``..``settings.HEALTH_SPAN_MAX``.
- **responsibility_unheld** — checked: every responsibility area; failing: nobody
  active in the subtree holds it as Responsible or Accountable through their role.

Each function adds to a :class:`Tally`: how many things its rule checked and how many
fail it, both counted in SQL, and a :class:`Finding` per failing row, only the first
``Tally.limit`` of each kind when there is a limit (``ORDER BY … LIMIT`` in SQL; none
at all with a limit of 0). ``health.selectors.leader_health`` runs them all and turns
the counts into a score, which therefore never depends on the limit.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from roadmaps.models import (
    CADENCE_DAYS,
    Goal,
    GoalLink,
    LifecycleStage,
    Metric,
    MetricRollup,
    Product,
    RollupGrain,
    RollupScope,
    StagePolicy,
)
from roadmaps.selectors import goal_visibility_q
from roles.models import Person, Position, ResponsibilityArea, RoleResponsibility
from roles.selectors import person_subtree, user_is_hr_admin
from stakeholders.models import Alignment, Review

from .models import FindingKind

# A metric counts as reported for a product when it was observed this recently.
METRIC_FRESHNESS_DAYS = 90

CLOSED_GOAL_STATUSES = (Goal.Status.ACHIEVED, Goal.Status.MISSED, Goal.Status.CANCELLED)

PRIVATE_GOAL_SUBJECT = "A private goal"


@dataclass(frozen=True)
class Finding:
    """One problem found in a leader's subtree, with the page where it is fixed.

    ``subject`` and ``url`` are as the viewer may see them. The ids say what the finding
    is about, so that a stored report can decide that again for each viewer: the goal
    (``goal_id``; ``subject_prefix`` goes before its title, as in "Vic on …") and the
    open seat with the manager it reports to (``seat_id``, ``manager_id``).
    """

    kind: str
    label: str
    subject: str
    url: str
    detail: str
    owner: str
    goal_id: int | None = None
    subject_prefix: str = ""
    seat_id: int | None = None
    manager_id: int | None = None


# --- Time -------------------------------------------------------------------------------


def as_of(*, today: date | None) -> tuple[date, datetime]:
    """The day the health is computed for and the moment cadences are measured from.

    For today that is now; for another day, the end of that day (local time).
    """
    local_today = timezone.localdate()
    if today is None or today == local_today:
        return local_today, timezone.now()
    moment = datetime.combine(today + timedelta(days=1), time.min)
    return today, timezone.make_aware(moment)


def _stale_q(*, field_name: str, cadence_field: str, created_field: str, now: datetime) -> Q:
    """Rows whose ``field_name`` is older than their cadence (or empty and created before)."""
    parts = []
    for cadence, days in CADENCE_DAYS.items():
        threshold = now - timedelta(days=days)
        parts.append(
            Q(**{cadence_field: cadence})
            & (
                Q(**{f"{field_name}__lt": threshold})
                | Q(**{f"{field_name}__isnull": True, f"{created_field}__lt": threshold})
            )
        )
    return reduce(operator.or_, parts)


def _bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _goal_visible_expr(*, viewer_user, goal_field: str = "pk"):
    """A SQL boolean: whether ``viewer_user`` may see the goal (``goal_visibility_q``).

    ``goal_field`` names the goal's id on the rows being read (``pk`` on goals,
    ``goal_id`` on alignments).
    """
    if viewer_user is None:  # nobody signed in (a snapshot): public goals only
        q = Q(visibility=Goal.Visibility.PUBLIC)
    else:
        q = goal_visibility_q(user=viewer_user)
    if not q:
        return Value(True, output_field=BooleanField())
    visible = Q(**{f"{goal_field}__in": Goal.objects.filter(q).values("pk")})
    return Case(When(visible, then=Value(True)), default=Value(False), output_field=BooleanField())


def _current_goals(*, subtree_ids, today: date) -> QuerySet[Goal]:
    return Goal.objects.filter(
        period__start__lte=today, period__end__gte=today, owner_id__in=subtree_ids
    )


# --- The findings, kind by kind -------------------------------------------------------


@dataclass
class Tally:
    """What the rules found: per kind, how many things were checked and how many fail,
    and the findings themselves, at most ``limit`` of each kind (all when ``None``).

    The counts are always complete (they come from SQL aggregates); only the list of
    findings is capped, so the score never depends on the limit.
    """

    limit: int | None = None
    checked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failing: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shown: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    findings: list[Finding] = field(default_factory=list)

    @property
    def wants_rows(self) -> bool:
        """Whether any failing row is to be listed at all (not with a limit of 0)."""
        return self.limit is None or self.limit > 0

    def add(self, kind: str, *, subject: str, url: str, detail: str, owner: str, **ids) -> None:
        """List one failing row of ``kind``, unless that kind already has ``limit``.

        ``ids`` are :class:`Finding`'s references (``goal_id``, ``subject_prefix``,
        ``seat_id``, ``manager_id``)."""
        if self.limit is not None and self.shown[kind] >= self.limit:
            return
        self.shown[kind] += 1
        self.findings.append(
            Finding(
                kind=str(kind),
                label=FindingKind(kind).label,
                subject=subject,
                url=url,
                detail=detail,
                owner=owner,
                **ids,
            )
        )


def _failing_rows(
    qs: QuerySet, *, tally: Tally, failing: dict[str, Q], order: tuple[str, ...]
) -> QuerySet:
    """The rows of ``qs`` failing any of the ``failing`` conditions, in ``order``.

    Kinds the counts found healthy are left out of the query (which finds nothing at
    once when every kind is healthy: still one query, so their count never varies).
    Without a limit: every failing row. With a limit, only the first ``tally.limit``
    rows failing each condition are read: ``pk IN (SELECT … ORDER BY … LIMIT n)`` per
    kind with more failing rows than that, ``pk IN (SELECT …)`` (all its rows) for a
    kind with fewer, the conditions themselves when no kind has more; all in one query. A row read for one kind may fail another too; because every kind
    is ordered the same way, the first ``limit`` rows of each kind are all among those
    read, and ``Tally.add`` keeps exactly those.
    """
    limit = tally.limit
    kinds = [kind for kind in failing if tally.failing[kind]]
    if not kinds:
        return qs.filter(Value(False, output_field=BooleanField())).order_by(*order)
    if limit is None or all(tally.failing[kind] <= limit for kind in kinds):
        return qs.filter(reduce(operator.or_, (failing[kind] for kind in kinds))).order_by(*order)
    # Each kind's rows are read by id from a subquery that already applies ``qs``'s own
    # filters: repeating them around it made PostgreSQL evaluate them (the subtree, its
    # goals and products) once more for every row.
    wanted = [
        Q(pk__in=qs.filter(failing[kind]).order_by(*order).values("pk")[:limit])
        if tally.failing[kind] > limit
        else Q(pk__in=qs.filter(failing[kind]).order_by().values("pk"))
        for kind in kinds
    ]
    return qs.model._default_manager.filter(reduce(operator.or_, wanted)).order_by(*order)


def goal_findings(*, tally: Tally, subtree_ids, today: date, now: datetime, viewer_user):
    goals = _current_goals(subtree_ids=subtree_ids, today=today)
    in_play = ~Q(status__in=CLOSED_GOAL_STATUSES)
    alignable = ~Q(level=Goal.Level.COMPANY) & ~Q(status=Goal.Status.CANCELLED)
    unaligned = alignable & ~Q(Exists(GoalLink.objects.filter(child_id=OuterRef("pk"))))
    stale = in_play & _stale_q(
        field_name="last_check_in_at",
        cadence_field="check_in_cadence",
        created_field="created_at",
        now=now,
    )
    owner_gone = Q(owner__is_active=False)

    # Query: how many goals each rule checks, and how many fail it.
    counts = goals.aggregate(
        n_unaligned=Count("pk", filter=alignable),
        n_unaligned_failing=Count("pk", filter=unaligned),
        n_check_in=Count("pk", filter=in_play),
        n_check_in_failing=Count("pk", filter=stale),
        n_owner=Count("pk"),
        n_owner_failing=Count("pk", filter=owner_gone),
    )
    for kind, name in (
        (FindingKind.GOAL_UNALIGNED, "unaligned"),
        (FindingKind.GOAL_NO_CHECK_IN, "check_in"),
        (FindingKind.GOAL_NO_OWNER, "owner"),
    ):
        tally.checked[kind] = counts[f"n_{name}"]
        tally.failing[kind] = counts[f"n_{name}_failing"]
    if not tally.wants_rows:
        return

    # Query: the failing goals (the first of each kind with a limit), each flagged
    # with the rules it fails.
    failing = (
        _failing_rows(
            goals,
            failing={
                FindingKind.GOAL_UNALIGNED: unaligned,
                FindingKind.GOAL_NO_CHECK_IN: stale,
                FindingKind.GOAL_NO_OWNER: owner_gone,
            },
            order=("title", "id"),
            tally=tally,
        )
        .annotate(
            is_unaligned=_bool(unaligned),
            is_stale=_bool(stale),
            owner_gone=_bool(owner_gone),
            viewer_may_see=_goal_visible_expr(viewer_user=viewer_user),
        )
        .select_related("owner")
        .only(
            "id",
            "title",
            "visibility",
            "check_in_cadence",
            "last_check_in_at",
            "owner__full_name",
            "owner__is_active",
        )
    )
    for goal in failing:
        subject, url = _goal_subject(goal=goal, visible=goal.viewer_may_see)
        owner = goal.owner.full_name if goal.owner else ""
        if goal.is_unaligned:
            tally.add(
                FindingKind.GOAL_UNALIGNED,
                subject=subject,
                url=url,
                detail="Aligns to no other goal: link it to the goal it serves.",
                owner=owner,
                goal_id=goal.pk,
            )
        if goal.is_stale:
            days = CADENCE_DAYS[goal.check_in_cadence]
            when = (
                f"last check-in {timezone.localdate(goal.last_check_in_at).isoformat()}"
                if goal.last_check_in_at
                else "never checked in"
            )
            tally.add(
                FindingKind.GOAL_NO_CHECK_IN,
                subject=subject,
                url=url,
                detail=f"No check-in within its cadence of {days} days ({when}).",
                owner=owner,
                goal_id=goal.pk,
            )
        if goal.owner_gone:
            tally.add(
                FindingKind.GOAL_NO_OWNER,
                subject=subject,
                url=url,
                detail="Its owner has left: give it a new owner.",
                owner=owner,
                goal_id=goal.pk,
            )


def _goal_subject(*, goal: Goal, visible: bool) -> tuple[str, str]:
    if visible:
        return goal.title, reverse("goal-detail", args=[goal.pk])
    return PRIVATE_GOAL_SUBJECT, ""


def product_findings(*, tally: Tally, subtree_ids, today: date, now: datetime):
    # Query: the stage policies (one row per stage).
    policies = {p.stage: p for p in StagePolicy.objects.all()}
    products_qs = Product.objects.filter(owner_id__in=subtree_ids).exclude(
        stage=LifecycleStage.RETIRED
    )

    # Lifecycle reviews: a product of a stage with a review cadence is fine when a review
    # was done within that cadence or one is scheduled, not yet overdue, within it.
    review_days = {
        stage: CADENCE_DAYS[policy.review_cadence]
        for stage, policy in policies.items()
        if policy.review_cadence in CADENCE_DAYS
    }
    review_ok_by_stage = []
    lifecycle = {"kind": Review.Kind.LIFECYCLE_REVIEW, "product_id": OuterRef("pk")}
    for stage, days in review_days.items():
        done_recently = Review.objects.filter(
            **lifecycle,
            status=Review.Status.DONE,
            completed_at__gte=now - timedelta(days=days),
        )
        coming_up = Review.objects.filter(
            **lifecycle,
            status=Review.Status.SCHEDULED,
            due_at__gte=now,
            due_at__lte=now + timedelta(days=days),
        )
        review_ok_by_stage.append(
            Q(stage=stage) & (Q(Exists(done_recently)) | Q(Exists(coming_up)))
        )

    # Metrics: a product of a stage expecting metrics fails when one of them has no
    # observation for it within METRIC_FRESHNESS_DAYS.
    expected = {stage: list(p.expected_metric_keys or []) for stage, p in policies.items()}
    expected = {stage: keys for stage, keys in expected.items() if keys}
    all_keys = sorted({key for keys in expected.values() for key in keys})
    # Read from the products' day roll-ups (a row exists for each day a product had a
    # reading), never from the raw readings. The metric's id is looked up once (an init
    # plan) so each product's check is a probe of the roll-ups' unique index (metric,
    # scope, scope_id, grain, period_start).
    since = today - timedelta(days=METRIC_FRESHNESS_DAYS)
    reported = {
        key: Exists(
            MetricRollup.objects.filter(
                metric_id=Subquery(Metric.objects.filter(key=key).values("pk")[:1]),
                scope=RollupScope.PRODUCT,
                scope_id=OuterRef("pk"),
                grain=RollupGrain.DAY,
                period_start__gte=since,
                period_start__lte=today,
            )
        )
        for key in all_keys
    }
    missing_by_stage = [
        Q(stage=stage) & reduce(operator.or_, (~Q(reported[key]) for key in keys))
        for stage, keys in expected.items()
    ]

    failing: dict[str, Q] = {}
    aggregates = {}
    if review_days:  # without any review cadence no review is expected of anyone
        failing[FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW] = Q(stage__in=list(review_days)) & ~(
            reduce(operator.or_, review_ok_by_stage)
        )
        aggregates["review"] = Count("pk", filter=Q(stage__in=list(review_days)))
        aggregates["review_failing"] = Count(
            "pk", filter=failing[FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW]
        )
    if expected:
        failing[FindingKind.PRODUCT_MISSING_METRICS] = reduce(operator.or_, missing_by_stage)
        aggregates["metrics"] = Count("pk", filter=Q(stage__in=list(expected)))
        aggregates["metrics_failing"] = Count(
            "pk", filter=failing[FindingKind.PRODUCT_MISSING_METRICS]
        )
    if not aggregates:
        return

    # Query: how many products each rule checks, and how many fail it.
    counts = products_qs.aggregate(**aggregates)
    for kind, name in (
        (FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW, "review"),
        (FindingKind.PRODUCT_MISSING_METRICS, "metrics"),
    ):
        tally.checked[kind] = counts.get(name, 0)
        tally.failing[kind] = counts.get(f"{name}_failing", 0)
    if not tally.wants_rows:
        return

    # Query: the failing products (the first of each kind with a limit), each flagged
    # with its lifecycle review state and which expected metrics it reported lately.
    review_ok = (
        _bool(reduce(operator.or_, review_ok_by_stage))
        if review_ok_by_stage
        else Value(True, output_field=BooleanField())
    )
    # Which expected metrics each product reported lately: only when some product misses
    # one, and per metric only for the stages expecting it.
    reported_flags = {}
    if tally.failing.get(FindingKind.PRODUCT_MISSING_METRICS):
        for i, key in enumerate(all_keys):
            stages = [stage for stage, keys in expected.items() if key in keys]
            reported_flags[f"reported_{i}"] = Case(
                When(Q(stage__in=stages), then=reported[key]),
                default=Value(True),
                output_field=BooleanField(),
            )
    products = (
        _failing_rows(products_qs, tally=tally, failing=failing, order=("name", "id"))
        .annotate(review_ok=review_ok, **reported_flags)
        .select_related("owner")
        .only("id", "name", "stage", "owner__full_name")
    )
    for product in products:
        url = reverse("product-detail", args=[product.pk])
        owner = product.owner.full_name if product.owner else ""
        stage_label = LifecycleStage(product.stage).label
        days = review_days.get(product.stage)
        if days is not None and not product.review_ok:
            tally.add(
                FindingKind.PRODUCT_NO_LIFECYCLE_REVIEW,
                subject=product.name,
                url=url,
                detail=(
                    f"No lifecycle review done in the last {days} days ({stage_label} cadence) "
                    "and none scheduled: schedule one."
                ),
                owner=owner,
            )
        missing = [
            key
            for key in expected.get(product.stage, [])
            if not getattr(product, f"reported_{all_keys.index(key)}", True)
        ]
        if missing:
            tally.add(
                FindingKind.PRODUCT_MISSING_METRICS,
                subject=product.name,
                url=url,
                detail=(
                    f"{stage_label} expects {', '.join(missing)}: no observation in the last "
                    f"{METRIC_FRESHNESS_DAYS} days."
                ),
                owner=owner,
            )


def stakeholder_findings(*, tally: Tally, subtree_ids, today: date, now: datetime, viewer_user):
    products = Product.objects.filter(owner_id__in=subtree_ids).exclude(
        stage=LifecycleStage.RETIRED
    )
    goals = _current_goals(subtree_ids=subtree_ids, today=today)
    alignments = Alignment.objects.filter(
        Q(product_id__in=products.values("pk")) | Q(goal_id__in=goals.values("pk"))
    )
    blocking = Q(status=Alignment.Status.BLOCKING)
    overdue = Q(next_touchpoint_due__lt=today) | (
        Q(next_touchpoint_due__isnull=True)
        & _stale_q(
            field_name="last_confirmed_at",
            cadence_field="cadence",
            created_field="created_at",
            now=now,
        )
    )
    # Query: how many alignments are checked, and how many fail each rule.
    counts = alignments.aggregate(
        checked=Count("pk"),
        blocking=Count("pk", filter=blocking),
        overdue=Count("pk", filter=overdue),
    )
    tally.checked[FindingKind.STAKEHOLDER_BLOCKING] = counts["checked"]
    tally.checked[FindingKind.STAKEHOLDER_UNCONFIRMED] = counts["checked"]
    tally.failing[FindingKind.STAKEHOLDER_BLOCKING] = counts["blocking"]
    tally.failing[FindingKind.STAKEHOLDER_UNCONFIRMED] = counts["overdue"]
    if not tally.wants_rows:
        return

    # Query: the failing alignments (the first of each kind with a limit), with their
    # stakeholder and subject joined in.
    failing = (
        _failing_rows(
            alignments,
            failing={
                FindingKind.STAKEHOLDER_BLOCKING: blocking,
                FindingKind.STAKEHOLDER_UNCONFIRMED: overdue,
            },
            order=("id",),
            tally=tally,
        )
        .annotate(
            is_blocking=_bool(blocking),
            is_overdue=_bool(overdue),
            goal_visible=_goal_visible_expr(viewer_user=viewer_user, goal_field="goal_id"),
        )
        .select_related("stakeholder", "stakeholder__person", "product__owner", "goal__owner")
    )
    for alignment in failing:
        if alignment.product_id:
            subject_name = alignment.product.name
            url = reverse("product-detail", args=[alignment.product_id])
            owner = alignment.product.owner.full_name if alignment.product.owner else ""
        else:
            goal = alignment.goal
            subject_name, url = _goal_subject(goal=goal, visible=alignment.goal_visible)
            owner = goal.owner.full_name if goal.owner else ""
        who = alignment.stakeholder.display_name
        subject = f"{who} on {subject_name}"
        # On a goal, what the finding is about, so a stored report can mask it per viewer.
        about = {} if alignment.product_id else {"goal_id": goal.pk, "subject_prefix": f"{who} on "}
        if alignment.is_blocking:
            tally.add(
                FindingKind.STAKEHOLDER_BLOCKING,
                subject=subject,
                url=url,
                detail=f"{who} is blocking: meet them and record the outcome.",
                owner=owner,
                **about,
            )
        if alignment.is_overdue:
            if alignment.next_touchpoint_due:
                detail = f"Touchpoint due {alignment.next_touchpoint_due.isoformat()} is overdue."
            else:
                detail = "Not confirmed within its cadence."
            tally.add(
                FindingKind.STAKEHOLDER_UNCONFIRMED,
                subject=subject,
                url=url,
                detail=detail,
                owner=owner,
                **about,
            )


def seat_findings(*, tally: Tally, subtree_ids, viewer_user):
    seats = Position.objects.filter(status=Position.Status.OPEN, reports_to_id__in=subtree_ids)
    no_budget = Q(budgeted_annual_cost__isnull=True)
    # Query: how many open seats are checked, and how many have no budget.
    counts = seats.aggregate(checked=Count("pk"), failing=Count("pk", filter=no_budget))
    tally.checked[FindingKind.SEAT_NO_BUDGET] = counts["checked"]
    tally.failing[FindingKind.SEAT_NO_BUDGET] = counts["failing"]
    if not tally.wants_rows:
        return
    hr = user_is_hr_admin(user=viewer_user)
    # Query: the (first) open seats without a budget (the cost column is never loaded).
    failing = (
        seats.filter(no_budget)
        .select_related("role", "team", "reports_to")
        .only("id", "title", "role__name", "team__name", "reports_to__full_name")
        .order_by("id")
    )[: tally.limit]
    for seat in failing:
        if hr:
            url = reverse("admin:roles_position_change", args=[seat.pk])
        else:
            url = reverse("person-detail", args=[seat.reports_to_id])
        team = f" in {seat.team.name}" if seat.team_id else ""
        tally.add(
            FindingKind.SEAT_NO_BUDGET,
            subject=f"{seat.display_title}{team}",
            url=url,
            detail=f"Open seat reporting to {seat.reports_to.full_name} with no budget.",
            owner=seat.reports_to.full_name,
            seat_id=seat.pk,
            manager_id=seat.reports_to_id,
        )


def span_findings(*, tally: Tally, leader: Person):
    low, high = settings.HEALTH_SPAN_MIN, settings.HEALTH_SPAN_MAX
    managers = (
        person_subtree(root=leader)
        .filter(is_active=True)
        .annotate(direct_reports=Count("reports", filter=Q(reports__is_active=True)))
        .filter(direct_reports__gt=0)
    )
    out_of_range = Q(direct_reports__lt=low) | Q(direct_reports__gt=high)
    # Query: how many managers are checked, and how many have a span out of range.
    counts = managers.aggregate(checked=Count("pk"), failing=Count("pk", filter=out_of_range))
    tally.checked[FindingKind.SPAN_OUT_OF_RANGE] = counts["checked"]
    tally.failing[FindingKind.SPAN_OUT_OF_RANGE] = counts["failing"]
    if not tally.wants_rows:
        return
    # Query: the (first) managers whose span is outside the range.
    failing = (managers.filter(out_of_range).only("id", "full_name").order_by("full_name", "id"))[
        : tally.limit
    ]
    for person in failing:
        n = person.direct_reports
        side = "fewer than" if n < low else "more than"
        bound = low if n < low else high
        tally.add(
            FindingKind.SPAN_OUT_OF_RANGE,
            subject=person.full_name,
            url=reverse("person-detail", args=[person.pk]),
            detail=(
                f"{n} active direct report{'s' if n != 1 else ''}, {side} {bound} "
                f"(range {low}–{high})."
            ),
            owner=person.full_name,
        )


def responsibility_findings(*, tally: Tally, leader: Person, subtree_ids):
    holders = Person.objects.filter(
        pk__in=subtree_ids, is_active=True, role_id__isnull=False
    ).values("role_id")
    held = Exists(
        RoleResponsibility.objects.filter(
            area_id=OuterRef("pk"),
            raci__in=[RoleResponsibility.Raci.RESPONSIBLE, RoleResponsibility.Raci.ACCOUNTABLE],
            role_id__in=holders,
        )
    )
    # Query: every responsibility area, flagged with whether the subtree holds it.
    areas = list(ResponsibilityArea.objects.annotate(held=held).order_by("position", "name"))
    # A short, fixed list (the responsibility areas): counted here, capped by Tally.add.
    tally.checked[FindingKind.RESPONSIBILITY_UNHELD] = len(areas)
    tally.failing[FindingKind.RESPONSIBILITY_UNHELD] = sum(1 for area in areas if not area.held)
    for area in areas:
        if area.held:
            continue
        tally.add(
            FindingKind.RESPONSIBILITY_UNHELD,
            subject=area.name,
            url=reverse("person-detail", args=[leader.pk]),
            detail=(
                "Nobody active in this organisation holds it as Responsible or Accountable "
                "through their role."
            ),
            owner=leader.full_name,
        )
