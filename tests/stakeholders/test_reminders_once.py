"""The reminder job run twice: one e-mail per recipient per occurrence, from a real worker.

The worker runs ``reviews.send_due_reminders`` as beat would have it run, on whichever
broker this run has (Redis, or the embedded filesystem broker) and database, and its
e-mail goes to Django's file backend; the test counts what was written there.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from stakeholders.models import Review
from stakeholders.services import review_complete
from stakeholders.tasks import send_due_reminders
from tests.workers import wait_until

from .builders import doubles, due_reviews, email_rows, outbox_counts, people

pytestmark = pytest.mark.worker


def run_job_and_wait(processes, worker, *, times: int) -> None:
    """Send the job ``times`` and wait until the worker has run them and what they enqueued."""
    before = worker.finished("reviews.send_due_reminders")
    for _ in range(times):
        send_due_reminders.delay()
    assert wait_until(
        lambda: worker.finished("reviews.send_due_reminders") == before + times, timeout=60
    ), worker.log_text()[-3000:]
    assert wait_until(lambda: processes.settled() and "pending" not in outbox_counts(), timeout=60)


def occurrence_of(key: str) -> tuple[int, int]:
    """(series, occurrence) from a reminder's dedupe key ``review:<series>:<n>:<kind>:…``."""
    _, series, occurrence, *_ = key.split(":")
    return int(series), int(occurrence)


def test_running_the_reminder_job_twice_sends_one_email_per_recipient_and_occurrence(
    celery_worker_process,
):
    recipients = people(12)
    # Due in two hours, reminded a week and a day ahead: the next occurrence (a week on)
    # is due for a reminder as soon as it exists.
    reviews = due_reviews(recipients=recipients, per_review=4)
    Review.objects.update(reminder_lead=timedelta(days=8))
    worker = celery_worker_process()

    run_job_and_wait(celery_worker_process, worker, times=2)
    first = celery_worker_process.sent_emails()
    assert len(first) == 12

    # Occurrence 1 is held; the series schedules occurrence 2, and the job runs twice more.
    for review in reviews:
        review_complete(review=review, outcome="held", at=timezone.now())
    run_job_and_wait(celery_worker_process, worker, times=2)

    emails = celery_worker_process.sent_emails()
    assert doubles(emails) == {}
    assert len(emails) == 24
    per_recipient_and_occurrence = Counter(
        (e.to, occurrence_of(e.key)[1], occurrence_of(e.key)[0]) for e in emails
    )
    assert set(per_recipient_and_occurrence.values()) == {1}
    assert Counter(e.to for e in emails) == {(p.email,): 2 for p in recipients}
    assert {occurrence_of(e.key)[1] for e in emails} == {1, 2}
    assert email_rows().count() == 24 and outbox_counts() == {"sent": 24}
    assert worker.finished("reviews.send_due_reminders") == 4
