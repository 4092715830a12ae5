"""The product page's metrics: each metric's latest daily roll-up, and a CSV upload of
readings for those who may edit the product.

The upload works as a plain POST (a redirect with a message, or the product page again
with the errors by the file field) and, with htmx, swaps only the upload box (422 with
the errors, 200 with what was saved).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from ..charts import format_value
from ..metric_uploads import CSV_COLUMNS, MetricUploadForm, row_error_lines
from ..models import Metric, MetricRollup, Product, RollupGrain, RollupScope
from ..selectors import product_can_edit, product_get_for_page
from .common import wants_partial


def product_metrics_latest(*, product: Product, expected_keys: list[str]) -> list[Metric]:
    """The product's metrics — those its stage expects, those defined for it and those it
    has roll-ups of — each with ``latest_value``, ``latest_period`` and ``latest_count``
    from its latest daily roll-up at product scope (``None`` without readings). One query.
    """
    product_days = MetricRollup.objects.filter(
        scope=RollupScope.PRODUCT, scope_id=product.pk, grain=RollupGrain.DAY
    )
    latest = product_days.filter(metric=OuterRef("pk")).order_by("-period_start")
    metrics: QuerySet[Metric] = (
        Metric.objects.filter(
            Q(key__in=expected_keys)
            | Q(product=product)
            | Q(pk__in=product_days.values("metric_id"))
        )
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period=Subquery(latest.values("period_start")[:1]),
            latest_count=Subquery(latest.values("observation_count")[:1]),
        )
        .order_by("name", "key")
    )
    expected = set(expected_keys)
    rows = list(metrics)
    for metric in rows:
        metric.is_expected = metric.key in expected
    return rows


TREND_DAYS = 30


def product_metrics_trends(*, product: Product, metrics: list[Metric]) -> None:
    """Set ``trend`` on each metric: its daily roll-ups of the last ``TREND_DAYS`` days at
    product scope, oldest first, as ``(day, value)`` (one query for all the metrics)."""
    since = timezone.localdate() - dt.timedelta(days=TREND_DAYS - 1)
    days: dict[int, list[tuple[dt.date, object]]] = defaultdict(list)
    # Every metric with product roll-ups is among ``metrics``: no need to name them.
    rows = (
        MetricRollup.objects.filter(
            scope=RollupScope.PRODUCT,
            scope_id=product.pk,
            grain=RollupGrain.DAY,
            period_start__gte=since,
        )
        .order_by("metric_id", "period_start")
        .values_list("metric_id", "period_start", "value")
    )
    for metric_id, day, value in rows:
        days[metric_id].append((day, value))
    for metric in metrics:
        metric.trend = days.get(metric.pk, [])
        metric.sparkline = metric_sparkline(metric=metric, points=metric.trend)


def metric_sparkline(*, metric: Metric, points) -> SafeString | None:
    """A small line of a metric's daily values (min to max of the window), as inline SVG;
    an image to assistive technology, described in words."""
    if len(points) < 2:
        return None
    width, height = 120, 32
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    n = len(values) - 1
    coords = " ".join(
        f"{2 + i / n * (width - 4):.1f},{height - 3 - (v - low) / spread * (height - 6):.1f}"
        for i, v in enumerate(values)
    )
    (first_day, first), (last_day, last) = points[0], points[-1]
    label = (
        f"{metric.name} per day from {format_value(first, metric.unit)} on "
        f"{date_format(first_day, 'j M')} to {format_value(last, metric.unit)} on "
        f"{date_format(last_day, 'j M')}; lowest {format_value(low, metric.unit)}, "
        f"highest {format_value(high, metric.unit)}."
    )
    return mark_safe(  # numbers and an escaped label only
        f'<svg class="metric-spark" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" focusable="false">'
        f'<polyline points="{coords}" fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round"/></svg>'
    )


def product_metrics_context(
    *,
    product: Product,
    policy,
    can_edit: bool,
    upload_form: MetricUploadForm | None = None,
) -> dict:
    """What the product page's Metrics section needs (two queries)."""
    expected_keys = list(policy.expected_metric_keys or []) if policy else []
    metrics = product_metrics_latest(product=product, expected_keys=expected_keys)
    product_metrics_trends(product=product, metrics=metrics)
    if can_edit and upload_form is None:
        upload_form = MetricUploadForm(auto_id="metric-upload-%s")
    return {
        "metrics": metrics,
        "missing_metric_keys": sorted(set(expected_keys) - {m.key for m in metrics}),
        "metric_upload": _upload_context(product, upload_form) if can_edit else None,
    }


def _upload_context(product: Product, form: MetricUploadForm, **extra) -> dict:
    outcome = form.outcome
    return {
        "product": product,
        "form": form,
        "columns": CSV_COLUMNS,
        "row_errors": row_error_lines(outcome.row_errors) if outcome else [],
        "hidden_row_errors": outcome.hidden_row_errors if outcome else 0,
        **extra,
    }


@require_POST
def product_metrics_upload(request: HttpRequest, product_id: int) -> HttpResponse:
    """Upload a CSV of the product's readings (its owner, their chain and HR admins).

    All or nothing: a file with a bad row saves nothing and lists every bad row. 404 for
    no such product, 403 for a member who may not edit it.
    """
    product = product_get_for_page(product_id=product_id)
    if not product_can_edit(user=request.user, product=product):
        raise PermissionDenied(
            "Only the product's owner and their management chain report its metrics."
        )
    form = MetricUploadForm(
        request.POST, request.FILES, product=product, auto_id="metric-upload-%s"
    )
    outcome = form.save(acting_user=request.user) if form.is_valid() else None
    if wants_partial(request):
        if outcome is None:
            context = _upload_context(product, form)
            return render(request, "roadmaps/_metric_upload.html", context, status=422)
        context = _upload_context(
            product, MetricUploadForm(auto_id="metric-upload-%s"), outcome=outcome
        )
        return render(request, "roadmaps/_metric_upload.html", context)
    if outcome is not None:
        messages.success(request, outcome.summary() + " Roll-ups follow within minutes.")
        return redirect(reverse("product-detail", args=[product.pk]) + "#metrics")
    from .products import _product_page  # the product page imports this module

    return _product_page(request, product, metric_upload_form=form, status=400)
