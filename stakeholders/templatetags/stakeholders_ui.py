"""Template helpers of the stakeholder, review and notification pages."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

register = template.Library()

# Each alignment status has its own shape as well as its colour, so the map and the
# lists never rely on colour alone (WCAG 1.4.1).
STATUS_GLYPHS = {
    "aligned": '<path d="M3.5 8.5 6.5 11.5 12.5 4.5"/>',
    "supportive": '<path d="M8 3.5v9M3.5 8h9"/>',
    "neutral": '<path d="M4 8h8"/>',
    "concerned": '<path d="M8 3.5v5.5"/><path d="M8 12.2v.3"/>',
    "blocking": '<path d="M4.5 4.5l7 7M11.5 4.5l-7 7"/>',
}


@register.simple_tag
def status_glyph(status: str) -> str:
    """The status's shape as a small inline SVG (decorative: the label says it)."""
    from django.utils.safestring import mark_safe

    paths = STATUS_GLYPHS.get(status, STATUS_GLYPHS["neutral"])
    return mark_safe(
        '<svg class="glyph" viewBox="0 0 16 16" aria-hidden="true" focusable="false" '
        'fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" '
        f'stroke-linejoin="round">{paths}</svg>'
    )


@register.filter
def due_phrase(moment, now=None) -> str:
    """'due in 3 days', 'due today', '2 days overdue' (the largest unit only)."""
    if not moment:
        return ""
    now = now or timezone.now()
    if timezone.localdate(moment) == timezone.localdate(now):
        return "due today" if moment >= now else "due earlier today"
    if moment > now:
        return f"due in {timeuntil(moment, now, depth=1)}"
    return f"{timesince(moment, now, depth=1)} overdue"


@register.filter
def days_late(day, today) -> int:
    """Whole days a touchpoint date is past ``today`` (0 when it is not)."""
    if not day or not today:
        return 0
    return max(0, (today - day).days)
