"""Delivery is enqueued after commit: a rolled-back transaction enqueues nothing that
runs, a committed one always runs, and a broker that is down loses nothing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from stakeholders.models import Notification, Review
from stakeholders.services import reminders_create_due, review_create
from stakeholders.tasks import deliver_notification, enqueue_after_commit, send_due_reminders
from tests.workers import wait_until

from .builders import due_reviews, email_rows, outbox_counts, people


class Failure(Exception):
    """Whatever made the surrounding request fail after the reminders were written."""


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Ids handed to the broker, instead of a broker."""
    ids: list[int] = []
    monkeypatch.setattr(deliver_notification, "delay", ids.append)
    return ids


@pytest.fixture
def due(cast):
    return review_create(
        kind=Review.Kind.STAKEHOLDER_SYNC,
        title="Sync with sales",
        owner=cast.leader,
        participants=[cast.report, cast.peer],
        due_at=timezone.now() + timedelta(hours=3),
    )


def test_a_rolled_back_transaction_enqueues_nothing(
    due, enqueued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Failure),
        transaction.atomic(),
    ):
        enqueue_after_commit(reminders_create_due())
        assert email_rows().count() == 3
        raise Failure
    assert callbacks == []
    assert enqueued == []
    assert not Notification.objects.exists()


def test_the_reminder_job_enqueues_each_new_email_once_after_its_commit(
    due, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert send_due_reminders() == 3
        assert enqueued == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(enqueued) == sorted(email_rows().values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert send_due_reminders() == 0  # nothing new: nothing to enqueue
    assert callbacks == []
    assert len(enqueued) == 3


def test_a_broker_that_is_down_at_commit_leaves_the_rows_pending_for_the_sweep(
    due, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_notification, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 3  # no exception reaches the job
    assert outbox_counts() == {"pending": 3}


@pytest.mark.worker
def test_with_a_real_worker_only_the_committed_transaction_is_delivered(celery_worker_process):
    """End to end: the rolled-back reminders never reach the worker; the committed ones,
    although the transaction commits well after they were planned, always run and find
    their rows (a message sent before the commit would find none and be dropped)."""
    worker = celery_worker_process()
    rolled_back = people(3, prefix="rolled")
    committed = people(3, prefix="kept")
    with pytest.raises(Failure), transaction.atomic():
        due_reviews(recipients=rolled_back, per_review=3)
        enqueue_after_commit(reminders_create_due())
        raise Failure
    with transaction.atomic():
        due_reviews(recipients=committed, per_review=3)
        ids = reminders_create_due()
        enqueue_after_commit(ids)
        time.sleep(1.5)  # a slow request: the worker is idle and listening meanwhile

    assert wait_until(lambda: outbox_counts() == {"sent": 3}, timeout=30), outbox_counts()
    assert wait_until(celery_worker_process.settled, timeout=30)
    emails = celery_worker_process.sent_emails()
    assert sorted(e.to for e in emails) == sorted((p.email,) for p in committed)
    assert worker.finished("notifications.deliver") == 3  # and no message for the others
    assert worker.log_text().count("'sent'") == 3
