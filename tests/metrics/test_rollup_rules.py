"""Roll-ups equal hand-computed values for every aggregation rule, scope and grain.

The readings (tests/metrics/conftest.py) are chosen so that the wrong rule shows: an
average of averages differs from the reading-weighted average, a summed "last" differs
from the latest reading, and a week crosses a month and a quarter boundary.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from roadmaps.models import MetricRollup
from roadmaps.rollups import metric_rollups_run

D = dt.date

# (rule, scope, scope name, grain, period start) -> (value, readings covered)
EXPECTED = [
    # product x day: two readings on Monday, one on Tuesday
    ("sum", "product", "cards", "day", D(2026, 11, 2), "30", 2),
    ("average", "product", "cards", "day", D(2026, 11, 2), "15", 2),
    ("last", "product", "cards", "day", D(2026, 11, 2), "20", 2),
    ("min", "product", "cards", "day", D(2026, 11, 2), "10", 2),
    ("max", "product", "cards", "day", D(2026, 11, 2), "20", 2),
    ("sum", "product", "cards", "day", D(2026, 11, 3), "30", 1),
    # product x week (Monday 2 November): 10, 20, 30
    ("sum", "product", "cards", "week", D(2026, 11, 2), "60", 3),
    # (10+20+30)/3 = 20, not the mean of the daily means (15+30)/2 = 22.5
    ("average", "product", "cards", "week", D(2026, 11, 2), "20", 3),
    ("last", "product", "cards", "week", D(2026, 11, 2), "30", 3),
    ("min", "product", "cards", "week", D(2026, 11, 2), "10", 3),
    ("max", "product", "cards", "week", D(2026, 11, 2), "30", 3),
    # the week of 28 December holds 31 December and 1 January
    ("sum", "product", "cards", "week", D(2026, 12, 28), "3", 2),
    ("last", "product", "cards", "week", D(2026, 12, 28), "2", 2),
    ("sum", "product", "cards", "month", D(2026, 12, 1), "1", 1),
    ("sum", "product", "cards", "month", D(2027, 1, 1), "2", 1),
    ("sum", "product", "cards", "month", D(2026, 11, 1), "60", 3),
    ("sum", "product", "cards", "month", D(2026, 9, 1), "7", 1),
    # quarters: Q3 has the 23:30 reading of 30 September only; Q4 = 60 + 1
    ("sum", "product", "cards", "quarter", D(2026, 7, 1), "7", 1),
    ("sum", "product", "cards", "quarter", D(2026, 10, 1), "61", 4),
    ("average", "product", "cards", "quarter", D(2026, 10, 1), "15.25", 4),
    ("last", "product", "cards", "quarter", D(2026, 10, 1), "1", 4),
    ("sum", "product", "cards", "quarter", D(2027, 1, 1), "2", 1),
    # teams: Checkout has cards only; wallet has no team
    ("sum", "team", "checkout", "week", D(2026, 11, 2), "60", 3),
    ("sum", "team", "acquisition", "week", D(2026, 11, 2), "100", 1),
    # units roll up their subtree: Cards = cards; Payments = cards + wallet
    ("sum", "business_unit", "cards_unit", "week", D(2026, 11, 2), "60", 3),
    ("sum", "business_unit", "payments", "week", D(2026, 11, 2), "65", 4),
    # (10+20+30+5)/4 = 16.25, not the mean of the products' means (20+5)/2 = 12.5
    ("average", "business_unit", "payments", "week", D(2026, 11, 2), "16.25", 4),
    ("last", "business_unit", "payments", "day", D(2026, 11, 2), "20", 3),  # not 20+5
    ("min", "business_unit", "payments", "week", D(2026, 11, 2), "5", 4),
    ("max", "business_unit", "payments", "week", D(2026, 11, 2), "30", 4),
    ("sum", "business_unit", "growth", "week", D(2026, 11, 2), "100", 1),
    ("sum", "business_unit", "company", "week", D(2026, 11, 2), "165", 5),
    # company: everything
    ("sum", "company", None, "week", D(2026, 11, 2), "165", 5),
    ("average", "company", None, "week", D(2026, 11, 2), "33", 5),
    ("last", "company", None, "week", D(2026, 11, 2), "100", 5),  # ads on Wednesday
    ("min", "company", None, "month", D(2026, 11, 1), "5", 5),
    ("max", "company", None, "quarter", D(2026, 10, 1), "100", 6),
    ("sum", "company", None, "quarter", D(2026, 10, 1), "166", 6),
]


@pytest.fixture
def rolled(loaded):
    metric_rollups_run()
    return loaded


@pytest.mark.parametrize(
    ("rule", "scope", "name", "grain", "start", "value", "count"),
    EXPECTED,
    ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[3]}-{r[4]}" for r in EXPECTED],
)
def test_roll_up_matches_the_hand_computed_value(
    rolled, rule, scope, name, grain, start, value, count
):
    scope_id = 0 if name is None else getattr(rolled, name).pk
    row = MetricRollup.objects.get(
        metric=rolled.metrics[rule], scope=scope, scope_id=scope_id, grain=grain, period_start=start
    )
    assert row.value == Decimal(value)
    assert row.observation_count == count


def test_no_roll_up_for_scopes_without_readings(rolled):
    assert not MetricRollup.objects.filter(
        scope="team", scope_id=rolled.acquisition.pk, grain="day", period_start=D(2026, 11, 2)
    ).exists()
    # wallet has no team: its readings reach no team row
    team_ids = set(MetricRollup.objects.filter(scope="team").values_list("scope_id", flat=True))
    assert team_ids == {rolled.checkout.pk, rolled.acquisition.pk}


def test_every_grain_and_scope_is_computed(rolled):
    combos = set(MetricRollup.objects.values_list("scope", "grain").distinct())
    assert combos == {
        (scope, grain)
        for scope in ["product", "team", "business_unit", "company"]
        for grain in ["day", "week", "month", "quarter"]
    }
