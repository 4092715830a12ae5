"""Housekeeping tasks of the shared kernel."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="productorg.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> int:
    """Delete expired sign-in sessions (scheduled daily by beat); returns how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
