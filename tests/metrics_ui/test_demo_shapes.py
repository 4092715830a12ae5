"""The demo's reading shapes, without a database: several readings a day (the large
demo) still agree exactly with a followed key result, by each aggregation rule."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from roadmaps.demo.metrics import Follow, _times, series_values

TODAY = dt.date(2026, 5, 20)
NOW = dt.datetime(2026, 5, 20, 13, 30, tzinfo=dt.UTC)
SINCE = dt.date(2026, 4, 1)


@pytest.mark.parametrize("per_day", [1, 3, 8])
@pytest.mark.parametrize(
    "key, aggregation, current",
    [
        ("activation_rate", "average", Decimal("31.7")),
        ("nps", "average", Decimal("27")),
        ("weekly_active_users", "last", Decimal("41250")),
        ("migration_rate", "last", Decimal("62.5")),
        ("customer_interviews", "sum", Decimal("17")),
    ],
)
def test_a_followed_series_agrees_with_its_key_result(per_day, key, aggregation, current):
    times = _times(today=TODAY, per_day=per_day, now=NOW)
    assert times[-1] <= NOW and times[0].date() == TODAY - dt.timedelta(days=120)
    values = series_values(
        key=key,
        aggregation=aggregation,
        stage="growth",
        times=times,
        per_day=per_day,
        rng=random.Random(7),
        follow=Follow(since=SINCE, start=float(current) * 0.8, current=current),
    )
    period = [Decimal(v) for t, v in zip(times, values, strict=True) if t.date() >= SINCE]
    if aggregation == "average":
        assert sum(period) / len(period) == current
    elif aggregation == "last":
        assert period[-1] == current
    else:
        assert sum(period) == current
        assert all(v == int(v) >= 0 for v in period)


def test_the_same_seed_reads_the_same():
    times = _times(today=TODAY, per_day=2, now=NOW)

    def read(seed):
        return series_values(
            key="revenue",
            aggregation="sum",
            stage="launch",
            times=times,
            per_day=2,
            rng=random.Random(seed),
        )

    assert read("a") == read("a") != read("b")


def test_a_launch_grows_and_a_sunset_declines():
    times = _times(today=TODAY, per_day=1, now=NOW)

    def trend(stage):
        values = [
            float(v)
            for v in series_values(
                key="weekly_active_users",
                aggregation="last",
                stage=stage,
                times=times,
                per_day=1,
                rng=random.Random(1),
            )
        ]
        return sum(values[-14:]) / sum(values[:14])

    assert trend("launch") > 1.4
    assert trend("sunset") < 0.7
