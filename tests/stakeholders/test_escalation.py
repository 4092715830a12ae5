"""Escalation: after N missed occurrences in a row the owner's manager is told, not before.

Misses are counted per series from the newest occurrence back; a held review breaks the
run. The manager hears once per missed occurrence (the dedupe key names it), on the
e-mail and in-app channels, like every reminder.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings

from stakeholders.models import Notification, Review
from stakeholders.services import (
    reminders_create_due,
    review_complete,
    review_create,
    reviews_mark_overdue,
)

ANCHOR = datetime(2025, 5, 5, 9, 0, tzinfo=UTC)  # a Monday; the tests pass their own "now"


@pytest.fixture
def weekly(cast):
    """Priya's weekly product review; Priya reports to Dana."""
    return review_create(
        kind=Review.Kind.ROADMAP_REVIEW,
        title="Checkout roadmap review",
        owner=cast.report,
        due_at=ANCHOR,
        recurrence="weekly",
        time_zone="UTC",
    )


def run_jobs(now: datetime) -> None:
    """What beat's reminder job does at ``now``."""
    reviews_mark_overdue(now=now)
    reminders_create_due(now=now)


def week(n: int, hours: int = 1) -> datetime:
    """``hours`` after occurrence ``n``'s due time."""
    return ANCHOR + timedelta(weeks=n - 1, hours=hours)


def escalations():
    return Notification.objects.filter(kind="review_escalation")


def test_the_default_is_two_misses():
    assert django_settings.REVIEW_ESCALATE_AFTER_MISSES == 2


def test_the_manager_hears_after_the_second_miss_in_a_row_and_not_before(cast, weekly):
    run_jobs(week(1))
    assert Review.objects.get(pk=weekly.pk).status == Review.Status.OVERDUE
    assert Notification.objects.filter(kind="review_overdue", recipient=cast.report).count() == 2
    assert not escalations().exists()  # one miss

    run_jobs(week(2))  # occurrence 1 is closed as skipped; occurrence 2 is missed too
    second = Review.objects.get(series=weekly, occurrence=2)
    assert second.status == Review.Status.OVERDUE
    assert {(n.recipient_id, n.channel) for n in escalations()} == {
        (cast.leader.pk, "email"),
        (cast.leader.pk, "in_app"),
    }
    email = escalations().get(channel="email")
    assert email.subject == "Priya has missed “Checkout roadmap review” 2 times in a row"
    assert not escalations().exclude(recipient=cast.leader).exists()  # not Carla, two up


def test_the_manager_hears_once_per_missed_occurrence_however_often_the_job_runs(cast, weekly):
    run_jobs(week(1))
    for hours in (1, 2, 5, 30):
        run_jobs(week(2, hours))
    assert escalations().filter(channel="email").count() == 1
    run_jobs(week(3))  # a third miss: a new occurrence, told again
    assert escalations().filter(channel="email").count() == 2
    assert "3 times in a row" in escalations().filter(channel="email").first().subject


def test_a_held_review_breaks_the_run_of_misses(cast, weekly):
    run_jobs(week(1))  # missed
    second = review_complete(review=weekly, outcome="late but held", at=week(1, hours=3))
    # Held late: still a miss, so occurrence 2 missed too makes two in a row.
    assert Review.objects.get(pk=weekly.pk).missed is True
    review_complete(review=second, outcome="held on time", at=week(2, hours=-1))
    run_jobs(week(3))  # occurrence 3 missed: one miss since the last held on time
    assert Review.objects.get(series=weekly, occurrence=3).status == Review.Status.OVERDUE
    assert not escalations().exists()
    run_jobs(week(4))
    assert escalations().filter(channel="email").count() == 1


def test_the_number_of_misses_is_a_setting(cast, weekly, settings):
    settings.REVIEW_ESCALATE_AFTER_MISSES = 3
    run_jobs(week(1))
    run_jobs(week(2))
    assert not escalations().exists()
    run_jobs(week(3))
    assert escalations().filter(channel="email", recipient=cast.leader).count() == 1


def test_one_miss_escalates_when_the_setting_says_one(cast, weekly, settings):
    settings.REVIEW_ESCALATE_AFTER_MISSES = 1
    run_jobs(week(1, hours=-2))  # due within the lead time, not yet missed
    assert not escalations().exists()
    run_jobs(week(1))
    assert escalations().filter(channel="email").count() == 1


def test_an_owner_without_a_manager_has_no_one_to_escalate_to(cast):
    review = review_create(
        kind=Review.Kind.BUSINESS_REVIEW,
        title="Company QBR",
        owner=cast.top,
        due_at=ANCHOR,
        recurrence="weekly",
        time_zone="UTC",
    )
    run_jobs(week(1))
    run_jobs(week(2))
    run_jobs(week(3))
    assert Review.objects.filter(series=review, missed=True).count() == 2
    assert not escalations().exists()
    assert Notification.objects.filter(kind="review_overdue", recipient=cast.top).exists()
