"""Writes to stakeholders, alignment, reviews, decisions and the notification outbox.

Reminders follow the outbox pattern: the reminder job *creates rows* (one per
recipient, occurrence, kind and channel, with a unique dedupe key) in the database, and
delivery runs separately, claiming one pending row at a time. Running the job twice,
on two beat processes at once, or with the broker down, never loses or doubles a
reminder: the database decides.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from productorg.errors import ApplicationError
from roadmaps.models import CADENCE_DAYS, Goal, LifecycleStage, Product, StagePolicy
from roles.models import Person
from roles.services import validate_and_save

from .models import Alignment, Decision, Notification, Review, Stakeholder
from .recurrence import occurrence_due, validate_recurrence, zone

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------- stakeholders


@transaction.atomic
def stakeholder_save(
    *, stakeholder: Stakeholder | None = None, acting_user=None, **fields: Any
) -> Stakeholder:
    """Create or change a stakeholder."""
    stakeholder = stakeholder or Stakeholder()
    fields.pop("quadrant", None)
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    validate_and_save(stakeholder, acting_user=acting_user)
    stakeholder.refresh_from_db(fields=["quadrant"])
    return stakeholder


def _next_touchpoint(*, cadence: str, after: datetime) -> datetime.date:
    return timezone.localdate(after) + timedelta(days=CADENCE_DAYS[cadence])


@transaction.atomic
def alignment_save(
    *, alignment: Alignment | None = None, acting_user=None, **fields: Any
) -> Alignment:
    """Create or change an alignment (managed by the product's or goal's owner chain)."""
    alignment = alignment or Alignment()
    for name, value in fields.items():
        setattr(alignment, name, value)
    if alignment.next_touchpoint_due is None:
        alignment.next_touchpoint_due = _next_touchpoint(
            cadence=alignment.cadence, after=alignment.last_confirmed_at or timezone.now()
        )
    validate_and_save(alignment, acting_user=acting_user)
    return alignment


@transaction.atomic
def alignment_confirm(
    *,
    alignment: Alignment,
    status: str | None = None,
    note: str | None = None,
    acting_user=None,
    at=None,
) -> Alignment:
    """The stakeholder confirms (or changes) where they stand; the next touchpoint moves on."""
    alignment = Alignment.objects.select_for_update().get(pk=alignment.pk)
    now = at or timezone.now()
    if status is not None:
        if status not in Alignment.Status.values:
            raise ApplicationError.for_field("status", f"Unknown alignment status “{status}”.")
        alignment.status = status
    if note is not None:
        alignment.note = note
    alignment.last_confirmed_at = now
    alignment.next_touchpoint_due = _next_touchpoint(cadence=alignment.cadence, after=now)
    validate_and_save(alignment, acting_user=acting_user)
    return alignment


# -------------------------------------------------------------------------- reviews


def _check_subject(review: Review) -> None:
    subjects = [s for s in (review.goal_id, review.product_id, review.person_id) if s]
    if len(subjects) > 1:
        raise ApplicationError.for_field(
            "non_field_errors", "A review is about one goal, product or person."
        )


@transaction.atomic
def review_create(
    *,
    kind: str,
    title: str,
    owner: Person,
    due_at: datetime,
    recurrence: str = "",
    time_zone: str | None = None,
    participants: list[Person] | None = None,
    reminder_lead: timedelta | None = None,
    acting_user=None,
    **subject: Any,
) -> Review:
    """Schedule a review (the first occurrence of a series when it recurs)."""
    time_zone = time_zone or settings.TIME_ZONE
    zone(time_zone)
    review = Review(
        kind=kind,
        title=title,
        owner=owner,
        due_at=due_at,
        anchor_at=due_at,
        recurrence=validate_recurrence(recurrence),
        time_zone=time_zone,
        **subject,
    )
    if reminder_lead is not None:
        review.reminder_lead = reminder_lead
    _check_subject(review)
    validate_and_save(review, acting_user=acting_user)
    if participants:
        review.participants.set(participants)
    return review


def _schedule_next(*, review: Review, not_before: datetime) -> Review | None:
    """Create the series' next occurrence due after ``not_before`` (None when it ended).

    Occurrences whose due time already passed are not created one by one: the series
    jumps to the first future occurrence, so closing a late review leaves no backlog.
    """
    if not review.recurrence:
        return None
    number = review.occurrence + 1
    due = occurrence_due(
        anchor=review.anchor_at, rule=review.recurrence, tz=review.time_zone, occurrence=number
    )
    while due is not None and due <= not_before:
        number += 1
        due = occurrence_due(
            anchor=review.anchor_at, rule=review.recurrence, tz=review.time_zone, occurrence=number
        )
    if due is None:
        return None
    root_id = review.series_root_id
    next_review, created = Review.objects.get_or_create(
        series_id=root_id,
        occurrence=number,
        defaults={
            "kind": review.kind,
            "title": review.title,
            "goal_id": review.goal_id,
            "product_id": review.product_id,
            "person_id": review.person_id,
            "owner_id": review.owner_id,
            "anchor_at": review.anchor_at,
            "due_at": due,
            "time_zone": review.time_zone,
            "recurrence": review.recurrence,
            "reminder_lead": review.reminder_lead,
        },
    )
    if created:
        next_review.participants.set(review.participants.all())
    return next_review


@transaction.atomic
def review_complete(
    *, review: Review, outcome: str = "", skipped: bool = False, acting_user=None, at=None
) -> Review | None:
    """Mark an occurrence done (or skipped) with its outcome; returns the next occurrence.

    Refused for an occurrence already closed. The row is locked so two people closing
    the same review at once create one next occurrence.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_open:
        raise ApplicationError.for_field(
            "status", f"This review is already {review.get_status_display().lower()}."
        )
    now = at or timezone.now()
    review.status = Review.Status.SKIPPED if skipped else Review.Status.DONE
    review.outcome = outcome
    review.completed_at = now
    review.completed_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if not skipped and now > review.due_at:
        review.missed = True
    validate_and_save(review, acting_user=acting_user)
    return _schedule_next(review=review, not_before=max(now, review.due_at))


@transaction.atomic
def reviews_sync_automatic(*, now: datetime | None = None) -> int:
    """Make sure every active goal and product has its recurring review series.

    Goals with an owner get a "goal check-in" series at their check-in cadence; products
    with an owner, not retired, get a "lifecycle review" series at their stage's cadence.
    Returns how many series were created. Safe to run any number of times.
    """
    now = now or timezone.now()
    created = 0
    active_goal_statuses = [Goal.Status.ON_TRACK, Goal.Status.AT_RISK, Goal.Status.OFF_TRACK]
    has_goal_series = Review.objects.filter(
        kind=Review.Kind.GOAL_CHECK_IN, series__isnull=True
    ).values("goal_id")
    goals = (
        Goal.objects.filter(
            owner__isnull=False, status__in=active_goal_statuses, period__end__gte=now.date()
        )
        .exclude(pk__in=has_goal_series)
        .only("id", "title", "owner_id", "check_in_cadence")
    )
    new_reviews = []
    for goal in goals.iterator(chunk_size=2000):
        due = now + timedelta(days=CADENCE_DAYS[goal.check_in_cadence])
        new_reviews.append(
            Review(
                kind=Review.Kind.GOAL_CHECK_IN,
                title=f"Check in: {goal.title}"[:300],
                goal_id=goal.pk,
                owner_id=goal.owner_id,
                anchor_at=due,
                due_at=due,
                recurrence=goal.check_in_cadence,
                time_zone=settings.TIME_ZONE,
            )
        )
    cadences = dict(StagePolicy.objects.values_list("stage", "review_cadence"))
    has_product_series = Review.objects.filter(
        kind=Review.Kind.LIFECYCLE_REVIEW, series__isnull=True
    ).values("product_id")
    products = (
        Product.objects.filter(owner__isnull=False)
        .exclude(stage=LifecycleStage.RETIRED)
        .exclude(pk__in=has_product_series)
        .only("id", "name", "owner_id", "stage")
    )
    for product in products.iterator(chunk_size=2000):
        cadence = cadences.get(product.stage, "quarterly")
        due = now + timedelta(days=CADENCE_DAYS[cadence])
        new_reviews.append(
            Review(
                kind=Review.Kind.LIFECYCLE_REVIEW,
                title=f"Lifecycle review: {product.name}"[:300],
                product_id=product.pk,
                owner_id=product.owner_id,
                anchor_at=due,
                due_at=due,
                recurrence=cadence,
                time_zone=settings.TIME_ZONE,
            )
        )
    Review.objects.bulk_create(new_reviews, batch_size=1000)
    created += len(new_reviews)
    return created


@transaction.atomic
def reviews_close_goal_check_ins_done(*, now: datetime | None = None) -> int:
    """Close open goal check-in reviews whose goal was checked in during the occurrence.

    The occurrence's window is its cadence before its due time; a check-in in that window
    means the owner did what the review asks.
    """
    now = now or timezone.now()
    closed = 0
    reviews = (
        Review.objects.select_for_update(skip_locked=True)
        .filter(
            kind=Review.Kind.GOAL_CHECK_IN,
            status__in=Review.OPEN_STATUSES,
            goal__last_check_in_at__isnull=False,
        )
        .select_related("goal")
    )
    for review in reviews:
        window_start = review.due_at - timedelta(days=CADENCE_DAYS.get(review.recurrence, 7))
        if review.goal.last_check_in_at >= window_start:
            review.status = Review.Status.DONE
            review.outcome = "Checked in."
            review.completed_at = review.goal.last_check_in_at
            review.missed = review.goal.last_check_in_at > review.due_at
            review.save(update_fields=["status", "outcome", "completed_at", "missed", "updated_at"])
            _schedule_next(review=review, not_before=max(now, review.due_at))
            closed += 1
    return closed


@transaction.atomic
def reviews_mark_overdue(*, now: datetime | None = None) -> int:
    """Mark open occurrences past their due time as overdue (and missed).

    An overdue occurrence of a recurring series whose *next* due time has also passed
    is closed as skipped, and the series moves on: misses accumulate per series, which
    is what escalation counts.
    """
    now = now or timezone.now()

    def mark() -> int:
        return Review.objects.filter(status=Review.Status.SCHEDULED, due_at__lt=now).update(
            status=Review.Status.OVERDUE, missed=True, updated_at=now
        )

    marked = mark()
    stale = (
        Review.objects.select_for_update(skip_locked=True)
        .filter(status=Review.Status.OVERDUE)
        .exclude(recurrence="")
    )
    for review in stale:
        following = occurrence_due(
            anchor=review.anchor_at,
            rule=review.recurrence,
            tz=review.time_zone,
            occurrence=review.occurrence + 1,
        )
        if following is not None and following <= now:
            review.status = Review.Status.SKIPPED
            review.outcome = review.outcome or "Not held: the next occurrence came due."
            review.save(update_fields=["status", "outcome", "updated_at"])
            _schedule_next(review=review, not_before=review.due_at)
    # Occurrences just scheduled may themselves be past due already.
    return marked + mark()


def review_consecutive_misses(*, review: Review) -> int:
    """How many occurrences of the series, up to this one, were missed in a row."""
    root_id = review.series_root_id
    flags = (
        Review.objects.filter(
            Q(pk=root_id) | Q(series_id=root_id), occurrence__lte=review.occurrence
        )
        .order_by("-occurrence")
        .values_list("missed", flat=True)
    )
    misses = 0
    for missed in flags:
        if not missed:
            break
        misses += 1
    return misses


# --------------------------------------------------------------------- notifications


def notification_dedupe_key(*parts: object) -> str:
    """A stable key for a notification; long keys are hashed to fit the column."""
    key = ":".join(str(p) for p in parts)
    if len(key) > 200:
        key = key[:150] + ":" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return key


@dataclass
class PlannedNotification:
    recipient_id: int
    kind: str
    subject: str
    body: str
    url: str
    key_parts: tuple


def notifications_create(
    *, planned: list[PlannedNotification], channels: tuple[str, ...] | None = None
) -> list[int]:
    """Insert outbox rows, skipping any whose dedupe key exists; returns the new e-mail row ids.

    ``INSERT … ON CONFLICT DO NOTHING`` on the unique key makes this safe to run
    concurrently: two reminder jobs racing each other insert each row once. In-app
    rows need no delivery: they are sent when written and shown in the bell.
    """
    channels = channels or (Notification.Channel.EMAIL, Notification.Channel.IN_APP)
    now = timezone.now()
    rows = []
    for item in planned:
        for channel in channels:
            in_app = channel == Notification.Channel.IN_APP
            rows.append(
                Notification(
                    recipient_id=item.recipient_id,
                    kind=item.kind,
                    subject=item.subject[:300],
                    body=item.body,
                    url=item.url,
                    channel=channel,
                    dedupe_key=notification_dedupe_key(*item.key_parts, channel),
                    status=Notification.Status.SENT if in_app else Notification.Status.PENDING,
                    sent_at=now if in_app else None,
                )
            )
    existing = set(
        Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list(
            "dedupe_key", flat=True
        )
    )
    rows = [r for r in rows if r.dedupe_key not in existing]
    if not rows:
        return []
    # A concurrent run may insert some of these between the look-up and here: the
    # unique key turns its rows and ours into one each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    email_keys = [r.dedupe_key for r in rows if r.channel == Notification.Channel.EMAIL]
    return list(
        Notification.objects.filter(
            dedupe_key__in=email_keys, status=Notification.Status.PENDING
        ).values_list("pk", flat=True)
    )


def _review_url(review: Review) -> str:
    return f"/reviews/{review.pk}/"


def reminders_create_due(*, now: datetime | None = None) -> list[int]:
    """Create the outbox rows for every review due within its lead time or overdue.

    One row per (review occurrence, kind, recipient, channel). Recipients are the owner
    and the participants; once a series has been missed ``REVIEW_ESCALATE_AFTER_MISSES``
    times in a row, the owner's manager is told too. Returns the ids of new e-mail rows,
    for delivery after commit.
    """
    now = now or timezone.now()
    escalate_after = settings.REVIEW_ESCALATE_AFTER_MISSES
    due = (
        Review.objects.filter(status__in=Review.OPEN_STATUSES, due_at__lte=now + F("reminder_lead"))
        .select_related("owner", "owner__manager")
        .prefetch_related("participants")
    )
    planned: list[PlannedNotification] = []
    for review in due.iterator(chunk_size=500):
        overdue = review.due_at <= now
        kind = "review_overdue" if overdue else "review_due"
        when = timezone.localtime(review.due_at, zone(review.time_zone)).strftime(
            "%a %d %b %Y, %H:%M"
        )
        subject = f"Overdue: {review.title}" if overdue else f"Due {when}: {review.title}"
        body = (
            f"{review.get_kind_display()} “{review.title}” was due {when} ({review.time_zone}) and is not done yet."
            if overdue
            else f"{review.get_kind_display()} “{review.title}” is due {when} ({review.time_zone})."
        )
        recipients = {review.owner_id} | {p.pk for p in review.participants.all()}
        for recipient_id in sorted(recipients):
            planned.append(
                PlannedNotification(
                    recipient_id=recipient_id,
                    kind=kind,
                    subject=subject,
                    body=body,
                    url=_review_url(review),
                    key_parts=(
                        "review",
                        review.series_root_id,
                        review.occurrence,
                        kind,
                        recipient_id,
                    ),
                )
            )
        if (
            overdue
            and review.owner.manager_id
            and review_consecutive_misses(review=review) >= escalate_after
        ):
            misses = review_consecutive_misses(review=review)
            planned.append(
                PlannedNotification(
                    recipient_id=review.owner.manager_id,
                    kind="review_escalation",
                    subject=f"{review.owner.full_name} has missed “{review.title}” {misses} times in a row",
                    body=(
                        f"{review.owner.full_name}'s {review.get_kind_display().lower()} “{review.title}” was due "
                        f"{when} and is not done: {misses} missed occurrences in a row."
                    ),
                    url=_review_url(review),
                    key_parts=(
                        "review",
                        review.series_root_id,
                        review.occurrence,
                        "escalation",
                        review.owner.manager_id,
                    ),
                )
            )
    return notifications_create(planned=planned)


def notification_message_id(notification: Notification) -> str:
    """A Message-ID derived from the dedupe key: the same reminder always has the same id."""
    digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "productorg.local"
    return f"<{digest}@{domain}>"


class DeliveryFailed(Exception):
    """Sending failed and may be retried later."""


def notification_deliver(*, notification_id: int, final_attempt: bool = False) -> str:
    """Send one pending notification; returns "sent", "skipped", "retry" or "failed".

    One transaction claims the row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write
    lock on SQLite; a row another worker holds, or one no longer pending, is skipped),
    marks it sent, hands the message to the e-mail backend, and commits. Marking comes
    *before* the hand-over, and the mail connection is opened before and closed after,
    so that the COMMIT is all that is left once the message has gone: a crash before
    the hand-over rolls the mark back and leaves the row pending for the sweep, and the
    one window in which a crash doubles a message (the backend has accepted it, the
    COMMIT has not left) is a few statements long; the message then goes again with
    the same Message-ID. A failed hand-over rolls the mark back, and the attempt and
    error are recorded; after the final attempt the row is marked failed.
    """
    connection = get_connection(fail_silently=False)
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(pk=notification_id, status=Notification.Status.PENDING)
                .first()
            )
            if notification is None:
                return "skipped"
            message = None
            if notification.channel == Notification.Channel.EMAIL:
                message = _email_message(notification)
                connection.open()
            Notification.objects.filter(pk=notification.pk).update(
                status=Notification.Status.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
            if message is not None:
                connection.send_messages([message])
            # Leaving the block commits: nothing may come between the hand-over and it.
        return "sent"
    except Exception as exc:  # any transport error is recorded on the row, then retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("Delivering notification %s failed: %s", notification_id, error)
    finally:
        connection.close()
    # The failed transaction was rolled back: record the attempt in one of its own.
    status = Notification.Status.FAILED if final_attempt else Notification.Status.PENDING
    Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING).update(
        attempts=F("attempts") + 1, last_error=error, status=status
    )
    return "failed" if final_attempt else "retry"


def _email_message(notification: Notification) -> EmailMessage:
    recipient = notification.recipient
    if not recipient.email:
        raise ApplicationError(f"{recipient.full_name} has no e-mail address.")
    body = notification.body
    if notification.url:
        body += f"\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
    return EmailMessage(
        subject=notification.subject,
        body=body,
        to=[recipient.email],
        headers={
            "Message-ID": notification_message_id(notification),
            "X-ProductOrg-Key": notification.dedupe_key,
        },
    )


def notifications_pending_ids(
    *, older_than: timedelta = timedelta(seconds=60), limit: int = 5000
) -> list[int]:
    """Pending e-mail rows that should have been delivered by now (for the sweep)."""
    cutoff = timezone.now() - older_than
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lte=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def notification_mark_read(*, notification: Notification, person: Person) -> Notification:
    """Mark one of ``person``'s in-app notifications read."""
    if notification.recipient_id != person.pk:
        raise ApplicationError("This notification is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, person: Person) -> int:
    return Notification.objects.filter(
        recipient=person, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


# -------------------------------------------------------------------------- decisions


@transaction.atomic
def decision_save(
    *,
    decision: Decision | None = None,
    consulted: list[Stakeholder] | None = None,
    metrics: list | None = None,
    acting_user=None,
    **fields: Any,
) -> Decision:
    """Record or change an entry of the decision log."""
    decision = decision or Decision()
    for name, value in fields.items():
        setattr(decision, name, value)
    if not isinstance(decision.options, list) or not all(
        isinstance(o, str) for o in decision.options
    ):
        raise ApplicationError.for_field(
            "options", "Give the options considered as a list of texts."
        )
    validate_and_save(decision, acting_user=acting_user)
    if consulted is not None:
        decision.consulted.set(consulted)
    if metrics is not None:
        decision.metrics.set(metrics)
    return decision


# ---------------------------------------------------------------------------- digests


def digest_is_due(*, now: datetime) -> bool:
    """Monday morning (``DIGEST_HOUR`` or later) in ``DIGEST_TIME_ZONE``."""
    local = timezone.localtime(now, zone(settings.DIGEST_TIME_ZONE))
    return local.weekday() == 0 and local.hour >= settings.DIGEST_HOUR


def digests_create_weekly(*, now: datetime | None = None) -> list[int]:
    """The weekly digest for every leader (anyone with active reports), once per ISO week.

    What changed in their subtree in the last seven days (people, goals, products and
    alignments), which reviews are overdue, and which stakeholders are blocking.
    """
    from roadmaps.models import Goal as GoalModel
    from roles.selectors import person_subtree

    now = now or timezone.now()
    if not digest_is_due(now=now):
        return []
    year, week, _ = timezone.localtime(now, zone(settings.DIGEST_TIME_ZONE)).isocalendar()
    since = now - timedelta(days=7)
    leaders = Person.objects.filter(is_active=True, reports__is_active=True).distinct()
    already = set(
        Notification.objects.filter(
            kind="weekly_digest", dedupe_key__startswith=f"digest:{year}-W{week:02d}:"
        ).values_list("recipient_id", flat=True)
    )
    planned = []
    for leader in leaders.exclude(pk__in=already).iterator(chunk_size=200):
        subtree = person_subtree(root=leader).values("id")
        people_changed = (
            Person.history.filter(history_date__gte=since, id__in=subtree)
            .values("id")
            .distinct()
            .count()
        )
        goals_changed = (
            GoalModel.history.filter(history_date__gte=since, owner_id__in=subtree)
            .values("id")
            .distinct()
            .count()
        )
        overdue = list(
            Review.objects.filter(owner_id__in=subtree, status=Review.Status.OVERDUE)
            .order_by("due_at")
            .values_list("title", flat=True)[:10]
        )
        blocking = list(
            Alignment.objects.filter(status=Alignment.Status.BLOCKING)
            .filter(Q(product__owner_id__in=subtree) | Q(goal__owner_id__in=subtree))
            .select_related("stakeholder__person", "product", "goal")[:10]
        )
        lines = [
            f"Your organisation this week ({len(overdue)} overdue reviews, {len(blocking)} blocking stakeholders).",
            "",
            f"Changes in the last seven days: {people_changed} people records, {goals_changed} goals.",
        ]
        if overdue:
            lines += ["", "Overdue reviews:"] + [f"  • {title}" for title in overdue]
        if blocking:
            lines += ["", "Blocking stakeholders:"] + [
                f"  • {a.stakeholder.display_name} on {a.product or a.goal}" for a in blocking
            ]
        planned.append(
            PlannedNotification(
                recipient_id=leader.pk,
                kind="weekly_digest",
                subject=f"Your weekly ProductOrg digest, week {week}",
                body="\n".join(lines),
                url="/misses/",
                key_parts=(f"digest:{year}-W{week:02d}", leader.pk),
            )
        )
    return notifications_create(planned=planned)


# ------------------------------------------------------- changes and deletes (API, pages)


def _delete_recorded(instance, *, acting_user=None) -> None:
    """Delete ``instance``, recording who did it on the history row."""
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        instance._history_user = acting_user
    instance.delete()


@transaction.atomic
def stakeholder_delete(*, stakeholder: Stakeholder, acting_user=None) -> None:
    """Delete a stakeholder with their alignments on every product and goal."""
    _delete_recorded(stakeholder, acting_user=acting_user)


@transaction.atomic
def alignment_delete(*, alignment: Alignment, acting_user=None) -> None:
    _delete_recorded(alignment, acting_user=acting_user)


@transaction.atomic
def review_update(
    *,
    review: Review,
    participants: list[Person] | None = None,
    acting_user=None,
    **fields: Any,
) -> Review:
    """Change an open occurrence: title, kind, subject, owner, due time, participants.

    A closed occurrence (done or skipped) is a record and is not changed. Recurrence and
    time zone belong to the series, whose occurrences count from the first one's due
    time (its anchor): they change only on the first occurrence, and moving the first
    occurrence's due time moves the anchor. An overdue occurrence moved to a future due
    time is scheduled again (it stays marked as missed).
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_open:
        raise ApplicationError.for_field(
            "status",
            f"This review is already {review.get_status_display().lower()}; it is a record "
            "now and cannot change.",
        )
    for name in ("recurrence", "time_zone"):
        if name in fields and review.series_id is not None:
            value = fields[name]
            if name == "recurrence":
                value = validate_recurrence(value)
            if value != getattr(review, name):
                raise ApplicationError.for_field(
                    name,
                    "A series' recurrence and time zone change only on its first occurrence.",
                )
    if "time_zone" in fields:
        zone(fields["time_zone"])
    if "recurrence" in fields:
        fields["recurrence"] = validate_recurrence(fields["recurrence"])
    for name, value in fields.items():
        setattr(review, name, value)
    if "due_at" in fields:
        if review.series_id is None:
            review.anchor_at = review.due_at
        if review.status == Review.Status.OVERDUE and review.due_at > timezone.now():
            review.status = Review.Status.SCHEDULED
    _check_subject(review)
    validate_and_save(review, acting_user=acting_user)
    if participants is not None:
        review.participants.set(participants)
    return review


@transaction.atomic
def review_delete(*, review: Review, acting_user=None) -> None:
    """Delete an occurrence; deleting a series' first occurrence deletes the whole series."""
    _delete_recorded(review, acting_user=acting_user)


@transaction.atomic
def decision_delete(*, decision: Decision, acting_user=None) -> None:
    _delete_recorded(decision, acting_user=acting_user)


@transaction.atomic
def decision_record(*, entry: Decision | None = None, acting_user=None, **fields: Any) -> Decision:
    """Record or change an entry of the decision log, the text of what was decided included.

    :func:`decision_save` takes the entry as ``decision``, which hides the model field of
    that name; this takes it as ``entry``, so every field can be given (``consulted`` and
    ``metrics`` too) and the rest is decision_save's.
    """
    entry = entry or Decision()
    if "decision" in fields:
        entry.decision = fields.pop("decision")
    return decision_save(decision=entry, acting_user=acting_user, **fields)
