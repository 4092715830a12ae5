"""A worker killed in the middle of a batch of deliveries: every reminder goes out once.

The worker is SIGKILLed (main process and pool children at once, as a crash or the OOM
killer would) at a point of the batch that varies from run to run, then started again;
once it has worked through the queue, the sweep re-enqueues what is still pending. What
the killed worker had in hand is lost differently per broker: Redis keeps its
unacknowledged messages invisible until the visibility timeout (an hour here), the
filesystem broker loses what it had fetched. Either way the outbox row is still
``pending`` and the sweep gets it delivered.

Why nothing is doubled. A delivery claims its row (``SELECT … FOR UPDATE SKIP LOCKED``
where ``status = 'pending'``; on SQLite the transaction holds the database's write lock),
marks it sent, hands the message to the e-mail backend, and commits, in that order. A
kill before the hand-over rolls the mark back: the row is pending, nothing was sent. A
kill once the COMMIT has been written to the database's socket changes nothing: the
server commits whether or not the client lives to read the answer. The one window left
is between the backend accepting the message and the COMMIT leaving the process, a few
Python statements (``test_delivery`` checks that only the COMMIT follows the
hand-over). Marking the row *after* the hand-over, as delivery first did, put a whole
UPDATE round trip into that window, and the first run of this test caught a doubled
Message-ID that way. No ordering can close the window completely (a transaction cannot
include the mail server); a kill inside it would send the message again with the same
Message-ID, derived from the dedupe key, which receiving mail stores can recognise as
the same message, and this test would fail on it rather than tolerate it.

E-mails are counted as messages, by Message-ID and recipient, not as files: Django's
file backend names a file by the second and the backend object's id, which Python
reuses, so several messages can share one file.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from django.db import connection

from stakeholders.services import notifications_pending_ids
from stakeholders.tasks import enqueue_deliveries, send_due_reminders
from tests.workers import wait_until

from .builders import doubles, due_reviews, email_rows, outbox_counts, people

pytestmark = pytest.mark.worker


def kill_in_the_middle_then_recover(celery_worker_process, *, size: int) -> dict:
    recipients = people(size)
    due_reviews(recipients=recipients, per_review=4)
    worker = celery_worker_process(concurrency=2)

    send_due_reminders.delay()
    # Somewhere between a fifth and a half of the batch, different on every run.
    kill_at = random.randint(size // 5, size // 2)
    assert wait_until(
        lambda: email_rows().filter(status="sent").count() >= kill_at, timeout=60, interval=0.01
    ), worker.log_text()[-3000:]
    # Kill with a delivery in hand (the embedded broker idles between its polls), at any
    # point of it: a few milliseconds after the worker took the message.
    assert wait_until(worker.busy, timeout=10, interval=0.001)
    time.sleep(random.uniform(0, 0.015))
    worker.kill()
    sent_before_kill = email_rows().filter(status="sent").count()
    assert email_rows().count() == size  # the reminder job itself had committed
    assert sent_before_kill < size, "the batch was over before the kill: nothing was tested"

    worker.start()
    # The restarted worker works through the queue; what the killed one had in hand
    # stays pending, until the sweep (here without its grace period) enqueues it again.
    assert wait_until(celery_worker_process.settled, timeout=90), worker.log_text()[-3000:]
    left = notifications_pending_ids(older_than=timedelta(0))
    enqueue_deliveries(left)
    assert wait_until(lambda: outbox_counts() == {"sent": size}, timeout=60), outbox_counts()
    assert wait_until(celery_worker_process.settled, timeout=60)

    emails = celery_worker_process.sent_emails()
    assert doubles(emails) == {}
    assert len(emails) == size
    assert len({e.message_id for e in emails}) == size
    assert sorted(e.to for e in emails) == sorted((p.email,) for p in recipients)
    assert {e.key for e in emails} == set(email_rows().values_list("dedupe_key", flat=True))
    return {"kill_at": kill_at, "sent_before_kill": sent_before_kill, "swept": len(left)}


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_mid_batch_on_redis_and_postgresql_sends_500_emails_once(
    require_postgres, require_redis, celery_worker_process
):
    kill_in_the_middle_then_recover(celery_worker_process, size=500)


@pytest.fixture
def embedded_default(settings):
    if connection.vendor != "sqlite" or settings.REDIS_URL:
        pytest.skip("the embedded default's variant; this run uses PostgreSQL or Redis")


def test_a_worker_killed_mid_batch_on_the_embedded_broker_and_sqlite_sends_each_once(
    embedded_default, celery_worker_process
):
    """The embedded default (SQLite, filesystem broker): the same, with a smaller batch."""
    kill_in_the_middle_then_recover(celery_worker_process, size=50)
