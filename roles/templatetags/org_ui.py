"""Small presentation helpers for the organisation pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template

register = template.Library()

# Calm avatar tints; each pair keeps the initials above WCAG AA contrast.
AVATAR_TONES = 8


@register.filter
def initials(name: str) -> str:
    """'Dana Lee-Park' → 'DL'; one word → its first letter."""
    parts = [p for p in (name or "").replace("-", " ").split() if p[:1].isalpha()]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][0].upper()
    return (parts[0][0] + parts[-1][0]).upper()


@register.filter
def avatar_tone(pk) -> int:
    """A stable tint for a person's avatar, so the same person always looks the same."""
    try:
        return int(pk) % AVATAR_TONES
    except (TypeError, ValueError):
        return 0


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (``None`` or '' drops a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    pairs = [(k, v) for k in params for v in params.getlist(k) if v != ""]
    return "?" + urlencode(pairs) if pairs else "?"
