"""The iCalendar feed of a person's reviews, and its revocable secret.

Calendar apps subscribe to ``/calendar/<secret>.ics`` and cannot sign in, so the URL is
the credential. Only a SHA-256 digest of the secret is stored (as for API tokens): the
URL is shown once, when it is created; revoking it makes the feed answer 404 at once.

The calendar text is written by hand after RFC 5545: CRLF line ends, content lines
folded at 75 octets (never inside a UTF-8 character), TEXT values escaped, times in UTC.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from productorg.errors import ApplicationError
from roles.models import Person

from .models import CalendarFeed, Review

PRODID = "-//ProductOrg//Reviews//EN"
EVENT_LENGTH = timedelta(minutes=30)
# What a calendar app shows for each review status (VEVENT STATUS takes three values).
EVENT_STATUS = {
    Review.Status.SCHEDULED: "CONFIRMED",
    Review.Status.OVERDUE: "CONFIRMED",
    Review.Status.DONE: "CONFIRMED",
    Review.Status.SKIPPED: "CANCELLED",
}


# ----------------------------------------------------------------------------- secret


def feed_secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, person: Person) -> tuple[CalendarFeed, str]:
    """Give ``person`` a new feed secret (replacing any earlier one); returns the row and
    the raw secret, which exists only in this return value."""
    if not person.is_active:
        raise ApplicationError(f"{person} is not an active member.")
    secret = secrets.token_urlsafe(32)
    feed, _ = CalendarFeed.objects.select_for_update().update_or_create(
        person=person,
        defaults={
            "digest": feed_secret_digest(secret),
            "created_at": timezone.now(),
            "revoked_at": None,
        },
    )
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, person: Person) -> bool:
    """Stop ``person``'s feed; returns whether there was an active one."""
    return bool(
        CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def calendar_feed_get_by_secret(*, secret: str) -> CalendarFeed | None:
    """The active feed of an active person whose secret this is, else None (one query)."""
    if not secret or len(secret) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("person")
        .filter(digest=feed_secret_digest(secret), revoked_at__isnull=True, person__is_active=True)
        .first()
    )


# ---------------------------------------------------------------------------- writing


def ics_escape(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def ics_fold(line: str) -> str:
    """One content line folded at 75 octets (§3.1): CRLF and a space before each
    continuation, never splitting a multi-byte UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74  # a continuation starts with one space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def ics_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _description(review: Review) -> str:
    lines = [review.get_kind_display()]
    subject = review.goal or review.product or review.person
    if subject is not None:
        lines.append(f"About: {subject}")
    lines.append(f"Owner: {review.owner.full_name}")
    people = [p.full_name for p in review.participants.all()]
    if people:
        lines.append("With: " + ", ".join(people))
    lines.append(f"Status: {review.get_status_display()}")
    return "\n".join(lines)


def ics_calendar(
    *, reviews: Iterable[Review], name: str, url_for, host: str, now: datetime | None = None
) -> str:
    """The VCALENDAR text of ``reviews``; ``url_for(review)`` gives each one's page URL."""
    stamp = ics_utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for review in reviews:
        lines += [
            "BEGIN:VEVENT",
            f"UID:review-{review.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{ics_utc(review.due_at)}",
            f"DTEND:{ics_utc(review.due_at + EVENT_LENGTH)}",
            f"SUMMARY:{ics_escape(review.title)}",
            f"DESCRIPTION:{ics_escape(_description(review))}",
            f"URL:{url_for(review)}",
            f"STATUS:{EVENT_STATUS.get(review.status, 'CONFIRMED')}",
            f"CATEGORIES:{ics_escape(review.get_kind_display())}",
            f"LAST-MODIFIED:{ics_utc(review.updated_at)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)
