"""Every row of beat's schedule names a task the worker knows, with valid arguments."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import PeriodicTask

from productorg.celery import app


@pytest.mark.django_db
def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks
    rows = list(PeriodicTask.objects.values_list("name", "task", "kwargs", "expire_seconds"))
    names = {task for _name, task, _kwargs, _expires in rows}
    assert {
        "metrics.roll_up",
        "health.snapshot_all",
        "reviews.send_due_reminders",
        "notifications.deliver_pending",
    } <= names
    for name, task, kwargs, expires in rows:
        assert task in app.tasks, f"{name}: {task} is not a registered task"
        json.loads(kwargs or "{}")
        assert expires, f"{name} should expire before its next run"
