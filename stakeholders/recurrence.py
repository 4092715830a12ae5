"""Recurrence maths for reviews: the n-th due time of a series.

Occurrences are counted from the series' anchor in the series' own time zone, so a
review at 09:00 in Berlin stays at 09:00 local time across daylight-saving changes, and
a monthly review anchored on the 31st falls on the last day of shorter months and
returns to the 31st afterwards (counting from the anchor, never from the previous
occurrence, avoids drifting to the 28th).
"""

from __future__ import annotations

import re
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
_UNTIL_UTC = re.compile(r"UNTIL=\d{8}T\d{6}Z", re.IGNORECASE)
_COUNT = re.compile(r"COUNT=(\d+)", re.IGNORECASE)
_FREQ = re.compile(r"FREQ=(\w+)", re.IGNORECASE)
# Reviews recur daily at most; finer rules would also make every look-up scan far.
_TOO_FREQUENT = {"HOURLY", "MINUTELY", "SECONDLY"}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ApplicationError.for_field("time_zone", f"Unknown time zone “{name}”.") from exc


def _rrule(text: str, *, local_start: datetime, local_zone: ZoneInfo):
    """The rule counted from ``local_start`` (a naive wall time of ``local_zone``).

    RFC 5545 wants UNTIL in UTC (``…Z``) when the start has a time zone, as a series'
    does: such a rule is expanded from the zoned start (wall times still, so 09:00 stays
    09:00) and its end compared as an instant. A floating UNTIL stays a wall time.
    """
    if _UNTIL_UTC.search(text):
        local_start = local_start.replace(tzinfo=local_zone)
    return rrulestr(text, dtstart=local_start)


def validate_recurrence(rule: str) -> str:
    """Return the normalised rule, or raise ApplicationError for an unusable one."""
    rule = (rule or "").strip()
    if not rule or rule.lower() in NAMED_RULES:
        return rule.lower()
    text = rule if rule.upper().startswith(("RRULE:", "DTSTART")) else f"RRULE:{rule}"
    try:
        _rrule(text, local_start=datetime(2000, 1, 1), local_zone=ZoneInfo("UTC"))
    except (ValueError, TypeError) as exc:
        raise ApplicationError.for_field(
            "recurrence", f"Not a valid recurrence rule: {exc}."
        ) from exc
    frequency = _FREQ.search(text)
    if frequency and frequency.group(1).upper() in _TOO_FREQUENT:
        raise ApplicationError.for_field(
            "recurrence", "A review recurs daily at most: use DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    return text


def occurrence_due(*, anchor: datetime, rule: str, tz: str, occurrence: int) -> datetime | None:
    """Due time (aware, UTC-comparable) of occurrence number ``occurrence`` (1-based).

    None when the rule has no such occurrence (an RRULE with COUNT or UNTIL that ended).
    The anchor is always occurrence 1 and, as RFC 5545 says, counts towards COUNT even
    when the rule itself would not produce it (dateutil would not count it then).
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
        count = _COUNT.search(rule)
        if count and occurrence > int(count.group(1)):
            return None
        local = None
        position = 1  # the anchor itself is occurrence 1, whether or not the rule yields it
        for value in _rrule(rule, local_start=local_anchor, local_zone=local_zone):
            if value.replace(tzinfo=None) <= local_anchor:
                continue
            position += 1
            if position == occurrence:
                local = value.replace(tzinfo=None)
                break
            if position > MAX_RRULE_SCAN:
                break
        if local is None:
            return None
    # PEP 495: fold=0 puts a wall time that falls in a spring-forward gap after the jump
    # (read with the offset before it, as RFC 5545 asks), and an ambiguous autumn time
    # on its first pass.
    return local.replace(tzinfo=local_zone)
