"""An upload enqueues the roll-up after it commits, and a real Celery worker runs it."""

from __future__ import annotations

import pytest

from roadmaps.models import MetricRollup, PendingRollup
from roadmaps.observations import observations_ingest
from tests.workers import wait_until

from .conftest import build_world, readings_rows

pytestmark = pytest.mark.worker


def test_a_real_worker_rolls_up_after_an_upload(celery_worker_process, transactional_db):
    world = build_world()
    celery_worker_process()
    observations_ingest(rows=readings_rows([world.metrics["sum"].key]))
    assert wait_until(
        lambda: (
            MetricRollup.objects.filter(scope="company", grain="quarter").exists()
            and not PendingRollup.objects.exists()
        ),
        timeout=60,
    )
    row = MetricRollup.objects.get(scope="company", grain="week", period_start="2026-11-02")
    assert row.value == 165
