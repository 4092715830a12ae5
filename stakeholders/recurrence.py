"""Recurrence maths for reviews: the n-th due time of a series.

Occurrences are counted from the series' anchor in the series' own time zone, so a
review at 09:00 in Berlin stays at 09:00 local time across daylight-saving changes, and
a monthly review anchored on the 31st falls on the last day of shorter months and
returns to the 31st afterwards (counting from the anchor, never from the previous
occurrence, avoids drifting to the 28th).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from productorg.errors import ApplicationError

NAMED_RULES = {
    "weekly": relativedelta(weeks=1),
    "biweekly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
    "quarterly": relativedelta(months=3),
}
# Enough to find the next occurrence of any sane rule without scanning forever.
MAX_RRULE_SCAN = 5000


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ApplicationError.for_field("time_zone", f"Unknown time zone “{name}”.") from exc


def validate_recurrence(rule: str) -> str:
    """Return the normalised rule, or raise ApplicationError for an unusable one."""
    rule = (rule or "").strip()
    if not rule or rule.lower() in NAMED_RULES:
        return rule.lower()
    text = rule if rule.upper().startswith(("RRULE:", "DTSTART")) else f"RRULE:{rule}"
    try:
        rrulestr(text, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise ApplicationError.for_field(
            "recurrence", f"Not a valid recurrence rule: {exc}."
        ) from exc
    return text


def occurrence_due(*, anchor: datetime, rule: str, tz: str, occurrence: int) -> datetime | None:
    """Due time (aware, UTC-comparable) of occurrence number ``occurrence`` (1-based).

    None when the rule has no such occurrence (an RRULE with COUNT or UNTIL that ended).
    """
    if occurrence < 1:
        raise ValueError("occurrences count from 1")
    rule = validate_recurrence(rule)
    local_zone = zone(tz)
    local_anchor = anchor.astimezone(local_zone).replace(tzinfo=None)
    if occurrence == 1:
        return anchor
    if not rule:
        return None
    if rule in NAMED_RULES:
        local = local_anchor + NAMED_RULES[rule] * (occurrence - 1)
    else:
        local = None
        position = 1  # the anchor itself is occurrence 1, whether or not the rule yields it
        for value in rrulestr(rule, dtstart=local_anchor):
            if value <= local_anchor:
                continue
            position += 1
            if position == occurrence:
                local = value
                break
            if position > MAX_RRULE_SCAN:
                break
        if local is None:
            return None
    # PEP 495: fold=0 puts a wall time that falls in a spring-forward gap after the jump,
    # and an ambiguous autumn time on its first pass.
    return local.replace(tzinfo=local_zone)
