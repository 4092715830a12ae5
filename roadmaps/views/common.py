"""What every goal and product page shares: partial (htmx) requests and the period shown."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from ..models import Period
from ..selectors import period_current


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def resolve_period(request: HttpRequest, periods: list[Period]) -> Period | None:
    """The period asked for (``?period=<id>``), else the current one, else the latest
    that has started, else the first planned."""
    if not periods:
        return None
    by_id = {str(p.pk): p for p in periods}
    wanted = by_id.get(request.GET.get("period", "").strip())
    if wanted is not None:
        return wanted
    current = period_current()
    if current is not None:
        return current
    today = timezone.localdate()
    started = [p for p in periods if p.start <= today]  # periods come newest first
    return started[0] if started else periods[-1]
