"""The dashboard's charts, drawn on the server as inline SVG (no library, no CDN, no JS).

Each SVG is an image to assistive technology (``role="img"`` with a one-sentence
``aria-label``); the page puts the numbers beside it in a table. Numbers are written
with :func:`roadmaps.charts.format_value`, as on the goal pages. Charts scale to their
container (``viewBox`` with a fixed aspect ratio).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from roadmaps.charts import format_value as _format_value


def rounded(value) -> Decimal | None:
    """A number rounded for reading: 2 decimals under 100, 1 under 1,000, none above."""
    if value is None:
        return None
    number = Decimal(value)
    places = 2 if abs(number) < 100 else 1 if abs(number) < 1000 else 0
    return number.quantize(Decimal(1).scaleb(-places))


def format_value(value, unit: str = "") -> str:
    """:func:`roadmaps.charts.format_value` of the rounded number."""
    return _format_value(rounded(value), unit)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(*, width: int, height: int, label: str, parts: list[str], css: str) -> SafeString:
    svg = (
        f'<svg class="dchart {css}" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-label="{escape(label)}" '
        f'focusable="false">' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # every text in it is escaped


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _compact(value) -> str:
    """1234567 → '1.2M', 12500 → '12.5k', small numbers as format_value writes them."""
    if value is None:
        return "—"
    number = float(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e4, "k")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return format_value(Decimal(str(round(number, 2))))


def line_chart(
    *,
    title: str,
    unit: str,
    points: Sequence[tuple[dt.date, Decimal | None]],
    target: Decimal | None = None,
) -> SafeString:
    """A metric over time: one point per bucket, gaps where a bucket has no value."""
    width, height = 560, 190
    left, right, top, bottom = 8, 488, 14, 156
    values = [v for _, v in points if v is not None]
    if target is not None:
        values.append(target)
    parts: list[str] = []
    if values:
        low, high = float(min(values)), float(max(values))
    else:
        low, high = 0.0, 1.0
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    # Counts and rates never dip below zero on the axis just for padding.
    low, high = (low - pad if low - pad >= 0 or low < 0 else 0.0), high + pad
    n = max(len(points) - 1, 1)

    def x_of(i: int) -> float:
        return left + i / n * (right - left)

    def y_of(v) -> float:
        return bottom - (float(v) - low) / (high - low) * (bottom - top)

    # Three horizontal guides with their values at the right.
    for frac in (0.0, 0.5, 1.0):
        y = bottom - frac * (bottom - top)
        value = low + frac * (high - low)
        parts.append(
            f'<line class="dchart__grid" x1="{left}" x2="{right}" y1="{_fmt(y)}" y2="{_fmt(y)}"/>'
        )
        parts.append(
            f'<text class="dchart__tick" x="{right + 6}" y="{_fmt(y + 4)}">'
            f"{escape(_compact(value))}</text>"
        )
    if target is not None:
        ty = _fmt(y_of(target))
        parts.append(f'<line class="dchart__target" x1="{left}" x2="{right}" y1="{ty}" y2="{ty}"/>')
    segment: list[tuple[float, float]] = []
    segments: list[list[tuple[float, float]]] = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append((x_of(i), y_of(value)))
    if segment:
        segments.append(segment)
    for seg in segments:
        coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in seg)
        if len(seg) > 1:
            area = f"{_fmt(seg[0][0])},{bottom} {coords} {_fmt(seg[-1][0])},{bottom}"
            parts.append(f'<polygon class="dchart__area" points="{area}"/>')
            parts.append(f'<polyline class="dchart__line" points="{coords}"/>')
    filled = [(i, d, v) for i, (d, v) in enumerate(points) if v is not None]
    for i, day, value in filled:
        last = (i, day, value) == filled[-1]
        tip = f"{date_format(day, 'j M')}: {format_value(value, unit)}"
        parts.append(
            f'<circle class="dchart__dot{" dchart__dot--last" if last else ""}" '
            f'cx="{_fmt(x_of(i))}" cy="{_fmt(y_of(value))}" r="{4.5 if last else 3}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    if points:
        parts.append(
            f'<text class="dchart__axis" x="{left}" y="{height - 10}">'
            f"{escape(date_format(points[0][0], 'j M'))}</text>"
        )
        parts.append(
            f'<text class="dchart__axis" x="{right}" y="{height - 10}" text-anchor="end">'
            f"{escape(date_format(points[-1][0], 'j M'))}</text>"
        )
    if filled:
        first, latest = filled[0][2], filled[-1][2]
        label = (
            f"{title} over the period: {len(filled)} of {len(points)} periods with data, "
            f"from {format_value(first, unit)} to {format_value(latest, unit)}."
        )
    else:
        label = f"{title}: no roll-ups in this period."
    return _svg(width=width, height=height, label=label, parts=parts, css="dchart--line")


def bar_chart(
    *,
    title: str,
    unit: str,
    items: Sequence[tuple[str, Decimal | None]],
    max_value: Decimal | None = None,
) -> SafeString:
    """Horizontal bars, one per item (label, value), longest for the largest value.

    Each item's name and value sit on a line above its bar, so long names keep the
    whole width and the text stays legible when the chart shrinks on a phone.
    """
    row = 46
    width = 560
    height = max(len(items), 1) * row + 4
    texts = [format_value(v, unit) if unit != "%" else _pct(v) for _, v in items]
    numbers = [float(v) for _, v in items if v is not None]
    top = float(max_value) if max_value is not None else max([abs(n) for n in numbers] or [1.0])
    top = top or 1.0
    parts: list[str] = []
    for i, (name, value) in enumerate(items):
        y = 2 + i * row
        parts.append(
            f'<text class="dchart__label" x="0" y="{y + 17}">'
            f"{escape(_short(name, 44))}<title>{escape(name)}</title></text>"
        )
        parts.append(
            f'<text class="dchart__value" x="{width}" y="{y + 17}" text-anchor="end">'
            f"{escape(texts[i])}</text>"
        )
        parts.append(
            f'<rect class="dchart__track" x="0" y="{y + 25}" width="{width}" height="12" rx="6"/>'
        )
        if value is not None:
            length = max(abs(float(value)) / top * width, 4)
            parts.append(
                f'<rect class="dchart__bar" x="0" y="{y + 25}" width="{_fmt(length)}" '
                f'height="12" rx="6"><title>{escape(name)}: {escape(texts[i])}</title></rect>'
            )
    described = "; ".join(f"{name} {text}" for (name, _), text in zip(items, texts, strict=True))
    label = f"{title}: {described}." if items else f"{title}: nothing to show."
    return _svg(width=width, height=height, label=label, parts=parts, css="dchart--bars")


def _pct(value) -> str:
    return "—" if value is None else f"{Decimal(value).quantize(Decimal(1))}%"


def stage_chart(*, stages: Sequence[tuple[str, str, int]]) -> SafeString:
    """Products by lifecycle stage: one stacked bar and its legend (value, label, count)."""
    width, height = 560, 78
    total = sum(count for _, _, count in stages) or 1
    parts: list[str] = []
    x = 0.0
    for value, label, count in stages:
        if not count:
            continue
        w = count / total * width
        parts.append(
            f'<rect class="dchart__stage stage-fill--{escape(value)}" x="{_fmt(x)}" y="4" '
            f'width="{_fmt(w)}" height="28"><title>{escape(label)}: {count}</title></rect>'
        )
        x += w
    # The legend under the bar, three to a line.
    shown = [(v, lbl, c) for v, lbl, c in stages if c]
    for i, (value, label, count) in enumerate(shown):
        lx = (i % 3) * 190
        ly = 56 + (i // 3) * 28
        parts.append(
            f'<rect class="stage-fill--{escape(value)}" x="{lx}" y="{ly - 11}" width="12" '
            f'height="12" rx="2"/><text class="dchart__legend" x="{lx + 18}" y="{ly}">'
            f"{escape(_short(label, 12))} · {count}</text>"
        )
    height = max(height, 56 + ((len(shown) - 1) // 3) * 28 + 12)
    described = ", ".join(f"{label} {count}" for _, label, count in shown)
    label = f"Products by lifecycle stage: {described}." if shown else "No products yet."
    return _svg(width=width, height=height, label=label, parts=parts, css="dchart--stages")


def sparkline(*, points: Sequence[tuple[dt.date, int]], title: str = "Health score") -> SafeString:
    """A small line of scores 0–100 over time (the health trend)."""
    width, height = 120, 36
    parts: list[str] = []
    if len(points) > 1:
        n = len(points) - 1
        coords = " ".join(
            f"{_fmt(2 + i / n * (width - 4))},{_fmt(height - 3 - score / 100 * (height - 6))}"
            for i, (_, score) in enumerate(points)
        )
        parts.append(f'<polyline class="dchart__spark" points="{coords}"/>')
        label = (
            f"{title} from {points[0][1]} on {date_format(points[0][0], 'j M')} "
            f"to {points[-1][1]} on {date_format(points[-1][0], 'j M')}."
        )
    else:
        label = f"{title}: not enough snapshots for a trend yet."
    return _svg(width=width, height=height, label=label, parts=parts, css="dchart--spark")
