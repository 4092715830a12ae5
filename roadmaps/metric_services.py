"""Writes to metric definitions (KPIs).

Readings are written by the bulk ingestion service (``roadmaps.observations``) and
roll-ups by the roll-up job (``roadmaps.rollups``); this module creates, changes and
deletes the definitions themselves. Who may call these is the interfaces' question
(``roadmaps.metric_selectors.metric_can_edit``); every change is kept in history with
``acting_user``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db import transaction
from django.db.models.functions import TruncDate

from productorg.errors import ApplicationError
from roles.services import validate_and_save

from .models import Metric
from .observations import observations_mark_for_rollup
from .services import _delete


@transaction.atomic
def metric_create(*, acting_user=None, **fields: Any) -> Metric:
    """Define a metric; its key is unique (reported on ``key``)."""
    metric = Metric(**fields)
    validate_and_save(metric, acting_user=acting_user)
    return metric


@transaction.atomic
def metric_update(*, metric: Metric, acting_user=None, **fields: Any) -> Metric:
    """Change a metric's definition.

    The key is how uploads name the metric: it may change only while nothing has been
    reported under it, so no integration's upload starts failing unnoticed. A new
    aggregation rule marks every reported day for the roll-up job and enqueues it, so
    the metric's roll-ups are recomputed under the new rule.
    """
    metric = Metric.objects.select_for_update().get(pk=metric.pk)
    new_key = fields.get("key", metric.key)
    if new_key != metric.key and metric.observations.exists():
        raise ApplicationError.for_field(
            "key",
            f"Readings are reported under “{metric.key}”; its key cannot change once "
            "readings exist. Create a new metric instead.",
        )
    reaggregate = fields.get("aggregation", metric.aggregation) != metric.aggregation
    for name, value in fields.items():
        setattr(metric, name, value)
    validate_and_save(metric, acting_user=acting_user)
    if reaggregate:
        _mark_every_day_pending(metric=metric)
    return metric


def _mark_every_day_pending(*, metric: Metric) -> None:
    """Queue every day with readings of ``metric`` for the roll-up job (UTC days), which
    is enqueued once the change commits."""
    days = (
        metric.observations.annotate(day=TruncDate("timestamp", tzinfo=UTC))
        .order_by()
        .values_list("day", flat=True)
        .distinct()
    )
    observations_mark_for_rollup(days={(metric.pk, day) for day in days})


@transaction.atomic
def metric_delete(*, metric: Metric, acting_user=None) -> None:
    """Delete a metric with its readings and roll-ups; key results following it keep
    their values and stop following it (refused while other records protect it)."""
    _delete(metric, acting_user=acting_user)
