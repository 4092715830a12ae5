"""Presentation helpers of the goal and product pages: numbers, progress, charts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from roadmaps.charts import check_in_chart, format_number, format_value

register = template.Library()


@register.filter
def num(value) -> str:
    """A number without trailing zeros, grouped by thousands: 12000.50 → '12,000.5'."""
    return format_number(value)


@register.filter
def with_unit(value, unit) -> str:
    """A number with its unit: '42%', '1,200 customers'."""
    return format_value(value, unit or "")


@register.filter
def pct(value) -> str:
    """An exact percentage as the progress arithmetic has it: 43.33 → '43.33%', 50.00 → '50%'."""
    if value is None or value == "":
        return "—"
    return f"{format_number(value)}%"


@register.filter
def pct0(value) -> str:
    """A percentage rounded to a whole number, for bars and headlines: 43.5 → '44%'."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


@register.filter
def share_pct(share) -> str:
    """A share of one as a percentage: 0.6667 → '66.67%'."""
    if share is None:
        return "—"
    return pct((Decimal(share) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def bar_width(value) -> str:
    """A progress value clamped to 0–100, for a CSS width."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    return f"{min(max(number, 0.0), 100.0):.1f}".rstrip("0").rstrip(".")


@register.inclusion_tag("roadmaps/_progress.html")
def progress_bar(value, status: str = "", label: str = "", size: str = "") -> dict:
    """A labelled progress bar whose colour follows the goal's status."""
    return {"value": value, "status": status, "label": label, "size": size}


@register.simple_tag
def kr_chart(key_result, readings, period):
    """The check-in chart of ``key_result`` (see :mod:`roadmaps.charts`)."""
    return check_in_chart(
        title=key_result.title,
        start_value=key_result.start_value,
        target_value=key_result.target_value,
        unit=key_result.unit,
        readings=[(c.created_at, c.value) for c in readings],
        period_start=period.start,
        period_end=period.end,
        started_at=key_result.created_at,
    )


@register.simple_tag
def progress_formula(explanation) -> str:
    """The arithmetic behind a goal's progress, in the numbers the page shows:
    '(50% × 2 + 30% × 1) ÷ 3 = 43.33%'."""
    counted = explanation.counted_terms
    if not counted:
        return "No key results or contributing goals yet, so progress is 0%."
    parts = " + ".join(f"{pct(t.progress)} × {format_number(t.weight)}" for t in counted)
    total = format_number(explanation.total_weight)
    return f"({parts}) ÷ {total} = {pct(explanation.progress)}"


SWATCHES = 6


@register.filter
def swatch(index) -> int:
    """One of the chart swatches for the ``index``-th term, cycling."""
    try:
        return int(index) % SWATCHES
    except (TypeError, ValueError):
        return 0


@register.filter
def ago(moment) -> str:
    """'just now' within a minute, else '3 days ago' (the largest unit only)."""
    if not moment:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
