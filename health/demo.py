"""The demo's alignment-health history, so its dashboards show a trend from the start.

Every leader gets today's report and snapshot (``health_report_refresh``: what the
dashboard reads); leaders who can sign in (the demo logins) also get a snapshot a week
for the weeks before, each scored as of its day. On a real installation the
nightly job builds this history one day at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .services import health_leaders, health_report_refresh, health_snapshot_take

HISTORY_WEEKS = 8


@dataclass(frozen=True)
class DemoHealth:
    snapshots: int


def demo_health_snapshots_create(*, size: str) -> DemoHealth:
    """Take the demo's snapshots (all leaders' reports and snapshots today on the small
    demo; the demo logins' leaders only on the large one, where the nightly job or a
    first view does the rest)."""
    today = timezone.localdate()
    leaders = health_leaders()
    with_login = list(leaders.filter(user__isnull=False))
    taken = 0
    everyone = with_login if size == "large" else list(leaders)
    for leader in everyone:
        health_report_refresh(leader=leader)
        taken += 1
    for leader in with_login:
        for weeks in range(1, HISTORY_WEEKS):
            health_snapshot_take(leader=leader, on=today - dt.timedelta(weeks=weeks))
            taken += 1
    return DemoHealth(snapshots=taken)
