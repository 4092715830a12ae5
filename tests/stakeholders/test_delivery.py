"""Delivering one outbox row: claimed once, marked sent before the hand-over, retried on
failure with the same Message-ID; duplicate delivery messages still send one e-mail."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders.models import Notification, Review
from stakeholders.services import notification_deliver, reminders_create_due, review_create
from stakeholders.tasks import deliver_notification
from tests.workers import wait_until

from .builders import doubles, due_reviews, email_rows, outbox_counts, people


@pytest.fixture
def reminder(cast) -> Notification:
    """One pending e-mail reminder, to Priya."""
    review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title="1:1 Priya",
        owner=cast.report,
        due_at=timezone.now() + timedelta(hours=1),
        time_zone="Europe/Berlin",
    )
    (notification_id,) = reminders_create_due()
    return Notification.objects.get(pk=notification_id)


class Recorder(BaseEmailBackend):
    """Records what the database says at each step of a hand-over."""

    events: list = []

    def open(self):
        self.events.append(("open", connection.in_atomic_block))

    def close(self):
        self.events.append(("close", connection.in_atomic_block))

    def send_messages(self, messages):
        (message,) = messages
        row = Notification.objects.get(dedupe_key=message.extra_headers["X-ProductOrg-Key"])
        self.events.append(
            ("send", connection.in_atomic_block, row.status, len(connection.queries))
        )
        return 1


def test_the_row_is_marked_sent_before_the_hand_over_and_only_the_commit_follows(
    transactional_db, cast, settings
):
    """The order that keeps a crash from doubling a message: mark, hand over, COMMIT.

    The backend sees its row already ``sent`` inside the open transaction, and the only
    statement after the hand-over is the COMMIT; the mail connection is opened inside
    and closed after it (for SMTP the QUIT round trip stays out of the window)."""
    review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title="1:1 Priya",
        owner=cast.report,
        due_at=timezone.now() + timedelta(hours=1),
    )
    with transaction.atomic():
        (notification_id,) = reminders_create_due()
    settings.EMAIL_BACKEND = f"{__name__}.Recorder"
    Recorder.events = []

    with CaptureQueriesContext(connection) as queries:
        assert notification_deliver(notification_id=notification_id) == "sent"

    (open_, send, close) = Recorder.events
    assert open_ == ("open", True)
    assert send[:3] == ("send", True, "sent")
    after_hand_over = [
        q["sql"] for q in queries.captured_queries[send[3] - queries.initial_queries :]
    ]
    assert after_hand_over == ["COMMIT"]
    assert close == ("close", False)


def test_a_failed_hand_over_rolls_the_mark_back_and_records_the_attempt(reminder, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(LocmemBackend, "send_messages", refuse)
    assert notification_deliver(notification_id=reminder.pk) == "retry"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.sent_at) == ("pending", 1, None)
    assert reminder.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"

    assert notification_deliver(notification_id=reminder.pk, final_attempt=True) == "failed"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 2)
    assert mail.outbox == []


def test_a_retried_message_keeps_its_message_id(reminder, monkeypatch):
    assert notification_deliver(notification_id=reminder.pk) == "sent"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 1, "")
    # The same row delivered again (as after a crash right after the hand-over).
    Notification.objects.filter(pk=reminder.pk).update(status="pending")
    assert notification_deliver(notification_id=reminder.pk) == "sent"
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].endswith("@localhost>")
    assert first.to == ["priya@example.com"]


def test_a_row_already_sent_is_skipped(reminder):
    assert notification_deliver(notification_id=reminder.pk) == "sent"
    assert notification_deliver(notification_id=reminder.pk) == "skipped"
    assert notification_deliver(notification_id=reminder.pk + 1000) == "skipped"  # gone
    assert len(mail.outbox) == 1


@pytest.mark.postgres
def test_a_row_another_delivery_holds_is_skipped_not_waited_for(
    require_postgres, transactional_db, cast
):
    review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title="1:1 Priya",
        owner=cast.report,
        due_at=timezone.now() + timedelta(hours=1),
    )
    (notification_id,) = reminders_create_due()
    held, release = threading.Event(), threading.Event()

    def other_delivery():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notification_id)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_delivery)
    thread.start()
    try:
        assert held.wait(10)
        assert notification_deliver(notification_id=notification_id) == "skipped"
        assert mail.outbox == []
    finally:
        release.set()
        thread.join()
    assert notification_deliver(notification_id=notification_id) == "sent"


@pytest.mark.worker
def test_every_row_enqueued_three_times_by_two_workers_is_sent_once(celery_worker_process):
    """A sweep re-enqueues rows whose first message is still queued, and two beats can
    enqueue the same rows: the claim turns every extra message into a no-op."""
    recipients = people(30)
    due_reviews(recipients=recipients, per_review=3)
    with transaction.atomic():
        ids = reminders_create_due()
    assert len(ids) == 30
    celery_worker_process(concurrency=2)
    celery_worker_process(concurrency=2)
    for _ in range(3):
        for notification_id in ids:
            deliver_notification.delay(notification_id)

    assert wait_until(lambda: outbox_counts() == {"sent": 30}, timeout=60), outbox_counts()
    assert wait_until(celery_worker_process.settled, timeout=60)
    emails = celery_worker_process.sent_emails()
    assert doubles(emails) == {}
    assert sorted(e.to for e in emails) == sorted((p.email,) for p in recipients)
    assert set(email_rows().values_list("attempts", flat=True)) == {1}
