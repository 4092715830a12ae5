"""Reads of metrics, their observations and roll-ups, and who may write them.

Metrics, readings and roll-ups are visible to every signed-in member (DESIGN.md: metrics
are public). Writing is narrower:

- a metric is changed by HR admins, its owner and the owner's management chain, and,
  for a product's metric, the product's owner and their chain (:func:`metric_can_edit`);
- a reading of a metric for a product is reported by HR admins, the product's owner and
  their chain, and the metric's owner and their chain (:func:`metric_can_report`).

Both rules are decided from the viewer's subtree, read once per request and cached on
the user (``roadmaps.selectors._viewer_subtree_ids``), so a list's ``can_edit`` costs
no query per row. Bulk uploads apply the second rule row by row inside
``roadmaps.observations.observations_ingest``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Metric, MetricObservation, MetricRollup, Product
from .selectors import _viewer_subtree_ids, product_can_edit, user_may_assign_owner


def metric_list() -> QuerySet[Metric]:
    """Every metric with its owner and product joined in (one query per page)."""
    return Metric.objects.select_related("owner", "product").order_by("key", "id")


def metric_observation_list() -> QuerySet[MetricObservation]:
    """Every reading with its metric and product joined in, newest first."""
    return MetricObservation.objects.select_related("metric", "product").order_by(
        "-timestamp", "-id"
    )


def metric_rollup_list() -> QuerySet[MetricRollup]:
    """Every roll-up row with its metric joined in, oldest period first.

    Ordered as the unique index runs (metric, scope, scope id, grain, period), so a page
    of millions of rows is read off the index, never sorted.
    """
    return MetricRollup.objects.select_related("metric").order_by(
        "metric_id", "scope", "scope_id", "grain", "period_start"
    )


def metric_can_edit(*, user, metric: Metric) -> bool:
    """HR admins; the metric's owner and their chain; a product metric's product owner chain.

    ``metric`` may be unsaved: the metric as a change would leave it, which the caller
    must still be able to change.
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    if metric.owner_id is not None and metric.owner_id in subtree:
        return True
    product = metric.product if metric.product_id is not None else None
    return product is not None and product.owner_id is not None and product.owner_id in subtree


def metric_may_define(*, user, owner, product: Product | None) -> bool:
    """Whether ``user`` may define a metric with ``owner`` that measures ``product``.

    A product's metrics are the product's owner chain's to define (for any owner, e.g.
    an analyst elsewhere); a metric of no product may be given to oneself or to
    someone in one's subtree. HR admins define any.
    """
    if product is not None:
        return product_can_edit(user=user, product=product)
    return user_may_assign_owner(user=user, owner=owner)


def metric_can_report(*, user, metric: Metric, product: Product) -> bool:
    """Whether ``user`` may report readings of ``metric`` for ``product``.

    HR admins; the product's owner and their management chain; the metric's owner and
    their chain.
    """
    subtree = _viewer_subtree_ids(user=user)
    if subtree is None:
        return True
    return (product.owner_id is not None and product.owner_id in subtree) or (
        metric.owner_id is not None and metric.owner_id in subtree
    )


def _reference_q(value: str, *, id_field: str, name_field: str) -> Q:
    """A reference as uploads give it — digits are an id, anything else a key or slug —
    as a filter (matching nothing when empty)."""
    text = (value or "").strip()
    if not text or (text.isdigit() and len(text) > 18):  # beyond any id: no match, no overflow
        return Q(pk__in=[])
    return Q(**{id_field: int(text)}) if text.isdigit() else Q(**{name_field: text})


def metric_filter_q(value: str) -> Q:
    """Readings or roll-ups of the metric ``value`` names: its key or its id."""
    return _reference_q(value, id_field="metric_id", name_field="metric__key")


def product_filter_q(value: str) -> Q:
    """Readings of the product ``value`` names: its slug or its id."""
    return _reference_q(value, id_field="product_id", name_field="product__slug")


def metric_by_reference(*, value) -> Metric | None:
    """The metric ``value`` names (its key, or its id as digits), or None."""
    return Metric.objects.filter(
        _reference_q(str(value or ""), id_field="pk", name_field="key")
    ).first()


def product_by_reference(*, value) -> Product | None:
    """The product ``value`` names (its slug, or its id as digits), or None."""
    return Product.objects.filter(
        _reference_q(str(value or ""), id_field="pk", name_field="slug")
    ).first()
