"""Template helpers of the dashboard: sortable column links and its number cells."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils import timezone

from health.charts import format_value

register = template.Library()


@register.simple_tag(takes_context=True)
def table_query(context, param: str, value, partial: str = "") -> str:
    """The current query string with ``param`` set to ``value`` (a table's page reset
    unless the page is what changes); ``partial`` names the table htmx swaps."""
    params = context["request"].GET.copy()
    params.pop("partial", None)
    if param != "page":
        params.pop("page", None)
    params.pop(param, None)
    if value not in (None, ""):
        params[param] = value
    if partial:
        params["partial"] = partial
    pairs = [(k, v) for k in params for v in params.getlist(k) if v != ""]
    return "?" + urlencode(pairs) if pairs else "?"


@register.filter
def next_sort(current: str, key: str) -> str:
    """A column's link sorts ascending, or descending when it is already ascending."""
    return f"-{key}" if current == key else key


@register.filter
def sort_state(current: str, key: str) -> str:
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return ""


@register.simple_tag
def metric_value(value, unit: str = "") -> str:
    return format_value(value, unit)


@register.filter
def as_of(moment) -> str:
    """When a stored result was computed, as a reader says it: "today at 09:40",
    "yesterday at 03:10", else "24 Nov at 03:10" (local time)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    days = (timezone.localdate() - local.date()).days
    day = {0: "today", 1: "yesterday"}.get(days) or local.strftime("%-d %b")
    return f"{day} at {local:%H:%M}"
