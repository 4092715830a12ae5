"""Charts drawn on the server as inline SVG: no chart library, no CDN, no JavaScript.

:func:`check_in_chart` draws a key result's readings over its period: the line of its
check-ins, the start and target values, the straight path from start to target across
the period (where it would be if progress were even) and today. The SVG is an image to
assistive technology (``role="img"`` with a one-sentence ``aria-label``); the page puts
the readings beside it in a visually hidden table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
HEIGHT = 132
PLOT_LEFT, PLOT_RIGHT = 6, 282  # value labels sit right of the plot
PLOT_TOP, PLOT_BOTTOM = 12, 100
AXIS_LABEL_Y = 122


def format_number(value) -> str:
    """12000.5000 → '12,000.5'; 40.0000 → '40'; None → '—'."""
    if value is None:
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,f}"
    return f"{number.normalize():,f}"


def format_value(value, unit: str = "") -> str:
    """A number with its unit: '42%', '1,200 customers', '€3.5'."""
    text = format_number(value)
    if not unit or value is None:
        return text
    if unit == "%":
        return f"{text}%"
    if unit in ("€", "$", "£"):
        return f"{unit}{text}"
    return f"{text} {unit}"


def _as_datetime(value: dt.date | dt.datetime, *, end_of_day: bool = False) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    moment = dt.datetime.combine(value, dt.time.max if end_of_day else dt.time.min)
    return timezone.make_aware(moment)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def check_in_chart(
    *,
    title: str,
    start_value: Decimal,
    target_value: Decimal,
    unit: str,
    readings: Sequence[tuple[dt.datetime, Decimal]],
    period_start: dt.date,
    period_end: dt.date,
    started_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> SafeString:
    """The SVG of a key result's ``readings`` (``(time, value)``, any order) in its period.

    ``started_at`` (when the key result was set up) adds its start value as the first
    point, so a single check-in still draws a line.
    """
    now = now or timezone.now()
    points = sorted(readings)
    if started_at is not None and (not points or started_at < points[0][0]):
        points.insert(0, (started_at, Decimal(start_value)))

    t0 = _as_datetime(period_start)
    t1 = _as_datetime(period_end, end_of_day=True)
    if points:
        t0 = min(t0, points[0][0])
        t1 = max(t1, points[-1][0])
    span = max((t1 - t0).total_seconds(), 1.0)

    values = [Decimal(start_value), Decimal(target_value), *(v for _, v in points)]
    low, high = float(min(values)), float(max(values))
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad

    def x_of(moment: dt.datetime) -> float:
        return PLOT_LEFT + (moment - t0).total_seconds() / span * (PLOT_RIGHT - PLOT_LEFT)

    def y_of(value) -> float:
        return PLOT_BOTTOM - (float(value) - low) / (high - low) * (PLOT_BOTTOM - PLOT_TOP)

    start_y, target_y = y_of(start_value), y_of(target_value)
    parts: list[str] = []
    # Start and target lines, each labelled at the right.
    parts.append(
        f'<line class="chart__start" x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" '
        f'y1="{_fmt(start_y)}" y2="{_fmt(start_y)}"/>'
    )
    parts.append(
        f'<line class="chart__target" x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" '
        f'y1="{_fmt(target_y)}" y2="{_fmt(target_y)}"/>'
    )
    label_gap = abs(target_y - start_y) < 14
    target_label_y = target_y + (4 if not label_gap else (-2 if target_y <= start_y else 10))
    start_label_y = start_y + (4 if not label_gap else (10 if target_y <= start_y else -2))
    parts.append(
        f'<text class="chart__label chart__label--target" x="{PLOT_RIGHT + 6}" '
        f'y="{_fmt(target_label_y)}">{escape(format_value(target_value, unit))}</text>'
    )
    parts.append(
        f'<text class="chart__label" x="{PLOT_RIGHT + 6}" y="{_fmt(start_label_y)}">'
        f"{escape(format_value(start_value, unit))}</text>"
    )
    # Where an even pace from start to target across the period would be.
    pace_from = _as_datetime(period_start)
    pace_to = _as_datetime(period_end, end_of_day=True)
    parts.append(
        f'<line class="chart__pace" x1="{_fmt(x_of(pace_from))}" y1="{_fmt(start_y)}" '
        f'x2="{_fmt(x_of(pace_to))}" y2="{_fmt(target_y)}"/>'
    )
    if t0 <= now <= t1:
        today_x = _fmt(x_of(now))
        parts.append(
            f'<line class="chart__today" x1="{today_x}" x2="{today_x}" '
            f'y1="{PLOT_TOP - 6}" y2="{PLOT_BOTTOM + 4}"/>'
        )
    if points:
        coords = [(x_of(t), y_of(v)) for t, v in points]
        line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)
        # The ground covered: between the line and the start value.
        area = f"{_fmt(coords[0][0])},{_fmt(start_y)} {line} {_fmt(coords[-1][0])},{_fmt(start_y)}"
        parts.append(f'<polygon class="chart__area" points="{area}"/>')
        parts.append(f'<polyline class="chart__line" points="{line}"/>')
        for index, ((x, y), (moment, value)) in enumerate(zip(coords, points, strict=True)):
            last = index == len(points) - 1
            tip = f"{date_format(timezone.localtime(moment), 'j M')}: {format_value(value, unit)}"
            parts.append(
                f'<circle class="chart__dot{" chart__dot--last" if last else ""}" '
                f'cx="{_fmt(x)}" cy="{_fmt(y)}" r="{4.5 if last else 3}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    # The period's first and last day under the plot.
    parts.append(
        f'<text class="chart__axis" x="{PLOT_LEFT}" y="{AXIS_LABEL_Y}">'
        f"{escape(date_format(period_start, 'j M'))}</text>"
    )
    parts.append(
        f'<text class="chart__axis" x="{PLOT_RIGHT}" y="{AXIS_LABEL_Y}" text-anchor="end">'
        f"{escape(date_format(period_end, 'j M'))}</text>"
    )

    readings_count = len(readings)
    if readings_count:
        latest = max(readings)[1]
        summary = (
            f"Check-ins of {title}: {readings_count} reading{'s' if readings_count != 1 else ''}, "
            f"latest {format_value(latest, unit)}; started at {format_value(start_value, unit)}, "
            f"target {format_value(target_value, unit)}."
        )
    else:
        summary = (
            f"No check-ins of {title} yet; started at {format_value(start_value, unit)}, "
            f"target {format_value(target_value, unit)}."
        )
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(summary)}" focusable="false">' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # every text above is escaped
