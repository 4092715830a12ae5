"""Reminders are created once per recipient, occurrence and kind, whatever runs them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stakeholders.models import Notification, Review
from stakeholders.services import (
    reminders_create_due,
    review_complete,
    review_create,
    reviews_mark_overdue,
)


@pytest.fixture
def review(cast):
    return review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title="Weekly 1:1 Dana / Priya",
        owner=cast.leader,
        participants=[cast.report],
        due_at=timezone.now() + timedelta(hours=2),
        recurrence="weekly",
        time_zone="Europe/Berlin",
        person=cast.report,
    )


def test_running_the_job_twice_creates_one_reminder_per_recipient_and_channel(review):
    first = reminders_create_due()
    second = reminders_create_due()
    assert len(first) == 2  # one e-mail each for the owner and the participant
    assert second == []
    rows = Notification.objects.filter(kind="review_due")
    assert rows.count() == 4  # e-mail + in-app for two people
    assert {n.recipient.full_name for n in rows} == {"Dana", "Priya"}


def test_overdue_is_a_new_kind_and_escalates_after_two_misses(cast, review, settings):
    settings.REVIEW_ESCALATE_AFTER_MISSES = 2
    later = review.due_at + timedelta(hours=1)
    reviews_mark_overdue(now=later)
    reminders_create_due(now=later)
    assert Notification.objects.filter(kind="review_overdue", channel="email").count() == 2
    assert not Notification.objects.filter(kind="review_escalation").exists()  # one miss so far

    # A week on, the first occurrence is skipped and the second is missed too.
    much_later = review.due_at + timedelta(days=7, hours=1)
    reviews_mark_overdue(now=much_later)
    reminders_create_due(now=much_later)
    second = Review.objects.get(series=review, occurrence=2)
    assert second.status == Review.Status.OVERDUE
    escalations = Notification.objects.filter(kind="review_escalation")
    assert {n.recipient_id for n in escalations} == {cast.top.pk}  # Dana's manager


def test_completing_schedules_the_next_occurrence_in_local_time(review):
    next_review = review_complete(review=review, outcome="Talked about the roadmap")
    review.refresh_from_db()
    assert review.status == Review.Status.DONE
    assert next_review.occurrence == 2
    assert next_review.series_id == review.pk
    assert next_review.due_at - review.due_at in (
        timedelta(days=7),
        timedelta(days=7, hours=1),
        timedelta(days=6, hours=23),
    )
    with pytest.raises(Exception, match="already done"):
        review_complete(review=review)
