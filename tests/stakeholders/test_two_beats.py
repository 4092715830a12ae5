"""Two beat processes at once (a deployment mistake that happens): each reminder still
goes out once per occurrence.

Two real ``celery beat`` processes with the database scheduler send the reminder job
every second each, a worker with two processes runs those jobs side by side, all on the
same database. On PostgreSQL the test first makes two jobs meet where a race would do
harm: it holds a SHARE lock on the outbox table until both jobs have looked for existing
reminders, found none, and wait to insert theirs; then lets them go at once. Only the
unique dedupe key (``INSERT … ON CONFLICT DO NOTHING``) keeps that from doubling every
reminder. On SQLite the database's single writer makes the jobs take turns.
"""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from stakeholders.models import Review
from tests.workers import wait_until

from .builders import doubles, due_reviews, email_rows, people

pytestmark = pytest.mark.worker

JOB = "reviews.send_due_reminders"


def every_second() -> None:
    """The reminder job alone on beat's schedule, every second."""
    PeriodicTask.objects.all().delete()
    PeriodicTask.objects.create(
        name="Send due review reminders",
        task=JOB,
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
    )


def all_sent(*, at_least: int) -> bool:
    return email_rows().count() >= at_least and not email_rows().exclude(status="sent").exists()


def outbox() -> Counter:
    return Counter(email_rows().values_list("kind", "status"))


def inserts_waiting_on_the_outbox() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks"
            " WHERE relation = 'stakeholders_notification'::regclass AND NOT granted"
        )
        return cursor.fetchone()[0]


def test_two_beats_at_once_send_each_reminder_once_per_occurrence(celery_worker_process):
    every_second()
    # Wave A is due within its reminder lead from the start. Wave B is far off, until it
    # is moved to two seconds ahead mid-run: reminded as due, then as overdue.
    wave_a = due_reviews(recipients=people(20, prefix="a"), per_review=4)
    wave_b = due_reviews(
        recipients=people(20, prefix="b"),
        per_review=4,
        due_at=timezone.now() + timedelta(days=30),
    )
    forced_race = connection.vendor == "postgresql"
    with transaction.atomic() if forced_race else nullcontext():
        if forced_race:
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE stakeholders_notification IN SHARE MODE")
        worker = celery_worker_process(concurrency=2, wait=False)
        beats = celery_worker_process.beats(2, wait=False)
        for process in [worker, *beats]:
            process.wait_ready()
        if forced_race:
            assert wait_until(lambda: inserts_waiting_on_the_outbox() >= 2, timeout=30), (
                worker.log_text()[-3000:]
            )
    # Released: both jobs insert the same twenty reminders at the same moment.
    assert wait_until(lambda: all_sent(at_least=20), timeout=30), outbox()
    assert email_rows().count() == 20, outbox()

    Review.objects.filter(pk__in=[r.pk for r in wave_b]).update(
        due_at=timezone.now() + timedelta(seconds=2), anchor_at=timezone.now()
    )
    assert wait_until(lambda: all_sent(at_least=60), timeout=30), outbox()
    assert email_rows().count() == 60, outbox()
    # A few more runs of each beat, which must find nothing new.
    runs = sum(b.sent(JOB) for b in beats)
    assert wait_until(lambda: all(b.sent(JOB) >= 4 for b in beats), timeout=30)
    assert wait_until(lambda: sum(b.sent(JOB) for b in beats) >= runs + 2, timeout=30)
    for beat in beats:
        beat.kill()
    assert wait_until(celery_worker_process.settled, timeout=60)

    sent_by_beats = sum(b.sent(JOB) for b in beats)
    assert worker.finished(JOB) == sent_by_beats
    assert "raised" not in worker.log_text()
    emails = celery_worker_process.sent_emails()
    assert doubles(emails) == {}
    kinds = Counter(e.key.split(":")[3] for e in emails)
    assert kinds == {"review_due": 40, "review_overdue": 20}
    assert email_rows().count() == 60
    recipients_a = {(f"a{n}@example.com",) for n in range(20)}
    assert {e.to for e in emails if e.key.startswith(tuple(f"review:{r.pk}:" for r in wave_a))} == (
        recipients_a
    )
