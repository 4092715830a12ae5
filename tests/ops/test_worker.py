"""A task sent from the web process is executed by a real Celery worker."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from productorg.tasks import clear_expired_sessions
from tests.workers import wait_until

pytestmark = pytest.mark.worker


def test_a_real_worker_runs_the_session_cleanup(celery_worker_process):
    now = timezone.now()
    Session.objects.create(
        session_key="expired", session_data="x", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="current", session_data="x", expire_date=now + timedelta(days=1)
    )
    celery_worker_process()

    clear_expired_sessions.delay()

    assert wait_until(lambda: not Session.objects.filter(session_key="expired").exists())
    assert Session.objects.filter(session_key="current").exists()
