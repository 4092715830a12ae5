"""Celery tasks of reviews and notifications: thin wrappers around the services.

Due times live in the database and beat runs these on a schedule; nothing is scheduled
as a long countdown message (a Redis broker redelivers a message held past its
visibility timeout to another worker). Tasks take ids, exit quietly when their row is
gone, acknowledge late and are rejected (requeued) when their worker dies.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from . import services

logger = logging.getLogger(__name__)


def enqueue_deliveries(notification_ids: list[int]) -> None:
    """Send delivery tasks; if the broker is down, the rows stay pending for the sweep."""
    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except Exception:  # broker unreachable: the outbox row is the source of truth
            logger.warning(
                "Broker unavailable; %d notifications left for the sweep", len(notification_ids)
            )
            return


def enqueue_after_commit(notification_ids: list[int]) -> None:
    if notification_ids:
        transaction.on_commit(lambda: enqueue_deliveries(notification_ids))


@shared_task(name="reviews.send_due_reminders", acks_late=True, reject_on_worker_lost=True)
def send_due_reminders() -> int:
    """Close check-in reviews already honoured, mark misses, create due reminders, deliver."""
    with transaction.atomic():
        services.reviews_close_goal_check_ins_done()
        services.reviews_mark_overdue()
        ids = services.reminders_create_due()
        enqueue_after_commit(ids)
    return len(ids)


@shared_task(name="reviews.sync_automatic", acks_late=True, reject_on_worker_lost=True)
def sync_automatic_reviews() -> int:
    """Give every active goal and product its recurring review series."""
    return services.reviews_sync_automatic()


@shared_task(
    name="notifications.deliver",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(services.DeliveryFailed,),
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
)
def deliver_notification(self, notification_id: int) -> str:
    """Deliver one outbox row; retried with exponential backoff and jitter on failure."""
    result = services.notification_deliver(
        notification_id=notification_id, final_attempt=self.request.retries >= self.max_retries
    )
    if result == "retry":
        raise services.DeliveryFailed(f"notification {notification_id} not delivered yet")
    return result


@shared_task(name="notifications.deliver_pending", acks_late=True, reject_on_worker_lost=True)
def deliver_pending() -> int:
    """The sweep: re-enqueue pending rows whose delivery message was lost or never sent."""
    ids = services.notifications_pending_ids()
    enqueue_deliveries(ids)
    return len(ids)


@shared_task(name="digests.send_weekly", acks_late=True, reject_on_worker_lost=True)
def send_weekly_digests() -> int:
    with transaction.atomic():
        ids = services.digests_create_weekly()
        enqueue_after_commit(ids)
    return len(ids)
