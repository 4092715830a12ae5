"""Reviews and people in bulk for the reminder tests, and what the outbox and mailbox say."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone

from roles.models import Person
from stakeholders.models import Notification, Review
from tests.workers import SentEmail


def people(count: int, *, prefix: str = "p", manager: Person | None = None) -> list[Person]:
    return Person.objects.bulk_create(
        Person(full_name=f"{prefix.upper()} {n}", email=f"{prefix}{n}@example.com", manager=manager)
        for n in range(count)
    )


def due_reviews(
    *,
    recipients: list[Person],
    per_review: int = 4,
    due_at: datetime | None = None,
    recurrence: str = "weekly",
) -> list[Review]:
    """Reviews due within their reminder lead: the first of each group of recipients owns
    it, the others take part. Every recipient gets one reminder per occurrence."""
    due_at = due_at or timezone.now() + timedelta(hours=2)
    groups = [recipients[i : i + per_review] for i in range(0, len(recipients), per_review)]
    reviews = Review.objects.bulk_create(
        Review(
            kind=Review.Kind.STAKEHOLDER_SYNC,
            title=f"Sync {n}",
            owner=group[0],
            anchor_at=due_at,
            due_at=due_at,
            recurrence=recurrence,
            time_zone="Europe/Berlin",
        )
        for n, group in enumerate(groups)
    )
    Through = Review.participants.through
    Through.objects.bulk_create(
        Through(review_id=review.pk, person_id=person.pk)
        for review, group in zip(reviews, groups, strict=True)
        for person in group[1:]
    )
    return reviews


def email_rows():
    return Notification.objects.filter(channel=Notification.Channel.EMAIL)


def outbox_counts() -> Counter:
    return Counter(email_rows().values_list("status", flat=True))


def doubles(emails: list[SentEmail]) -> dict[str, int]:
    """Message-IDs written more than once."""
    return {mid: n for mid, n in Counter(e.message_id for e in emails).items() if n > 1}
