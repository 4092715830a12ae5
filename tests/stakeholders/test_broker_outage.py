"""Redis down or restarted while reminders are due: nothing is lost, nothing doubled.

Each test runs its own ``redis-server`` (no persistence, like a cache-only Redis that
loses its queues on restart), so the machine's Redis is never touched. The outbox in the
database is the source of truth; the broker only carries "deliver row N" hints, and the
sweep (``notifications.deliver_pending``, every minute on beat) re-sends the hints that
were lost.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db.models import F

from stakeholders.tasks import deliver_pending, send_due_reminders
from tests.workers import wait_until

from .builders import doubles, due_reviews, email_rows, outbox_counts, people

pytestmark = [pytest.mark.worker, pytest.mark.redis]


def sweep_in_the_worker(processes, worker) -> None:
    """Run the real sweep task; its grace period (a minute) has passed for these rows."""
    email_rows().update(created_at=F("created_at") - timedelta(minutes=2))
    before = worker.finished("notifications.deliver_pending")
    deliver_pending.delay()
    assert wait_until(
        lambda: worker.finished("notifications.deliver_pending") > before, timeout=60
    ), worker.log_text()[-3000:]


def assert_each_sent_once(processes, recipients) -> None:
    assert wait_until(lambda: outbox_counts() == {"sent": len(recipients)}, timeout=60), (
        outbox_counts()
    )
    assert wait_until(processes.settled, timeout=30)
    emails = processes.sent_emails()
    assert doubles(emails) == {}
    assert sorted(e.to for e in emails) == sorted((p.email,) for p in recipients)


def test_reminders_due_while_redis_is_down_go_out_once_it_is_back(
    private_redis, celery_worker_process
):
    recipients = people(8)
    due_reviews(recipients=recipients, per_review=4)
    worker = celery_worker_process()
    private_redis.stop()

    # The reminder job runs (here in this process: no message reaches a worker now).
    started = time.monotonic()
    assert send_due_reminders() == 8
    assert time.monotonic() - started < 15  # the failed enqueue gives up, quietly
    assert outbox_counts() == {"pending": 8}  # committed, waiting

    private_redis.start()
    # The worker reconnects by itself; the sweep finds the rows nobody was told about.
    sweep_in_the_worker(celery_worker_process, worker)
    assert_each_sent_once(celery_worker_process, recipients)


def test_a_redis_restart_that_loses_the_queued_deliveries_loses_no_reminder(
    private_redis, celery_worker_process
):
    recipients = people(8)
    due_reviews(recipients=recipients, per_review=4)

    assert send_due_reminders() == 8  # enqueued: 8 messages wait in Redis, no worker yet
    assert celery_worker_process.queue_length() == 8
    private_redis.stop()
    private_redis.start()  # empty: the messages are gone
    assert celery_worker_process.queue_length() == 0

    worker = celery_worker_process()
    time.sleep(1)
    assert outbox_counts() == {"pending": 8}  # nothing to deliver them but the outbox
    sweep_in_the_worker(celery_worker_process, worker)
    assert_each_sent_once(celery_worker_process, recipients)
