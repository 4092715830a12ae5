"""A key result linked to a metric follows it: each roll-up checks it in with the
metric's value over the goal's period, in the goal's scope, by the metric's rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from roadmaps.models import CheckIn, Goal, Period
from roadmaps.observations import observations_ingest
from roadmaps.rollups import metric_rollups_run
from roadmaps.services import goal_create, key_result_create


@pytest.fixture
def q4(db):
    return Period.objects.create(
        name="2026-Q4",
        kind=Period.Kind.QUARTER,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
    )


def kr_following(metric, period, *, target=200, **goal_fields):
    goal = goal_create(title="Grow", level=Goal.Level.PRODUCT, period=period, **goal_fields)
    return key_result_create(
        goal=goal, title="Follows", metric=metric, start_value=0, target_value=target
    )


def test_a_product_goal_follows_its_products_metric(loaded, q4):
    kr = kr_following(loaded.metrics["sum"], q4, product=loaded.cards)
    metric_rollups_run()
    kr.refresh_from_db()
    assert kr.current_value == Decimal("61")  # cards in Q4: 10 + 20 + 30 + 1
    assert kr.progress == Decimal("30.50")
    assert kr.goal.__class__.objects.get(pk=kr.goal_id).progress == Decimal("30.50")
    check_in = CheckIn.objects.get(key_result=kr)
    assert check_in.author is None and "Metric sum" in check_in.note


def test_scopes_and_rules(loaded, q4):
    unit_avg = kr_following(
        loaded.metrics["average"], q4, business_unit=loaded.payments, target=100
    )
    company_last = kr_following(loaded.metrics["last"], q4, target=100)
    metric_rollups_run()
    unit_avg.refresh_from_db()
    company_last.refresh_from_db()
    assert unit_avg.current_value == Decimal("13.2")  # (10+20+30+5+1) / 5
    assert company_last.current_value == Decimal("1")  # 31 December, the latest in Q4


def test_a_new_reading_moves_the_key_result_once(loaded, q4):
    kr = kr_following(loaded.metrics["sum"], q4, product=loaded.cards)
    metric_rollups_run()
    observations_ingest(
        rows=[
            {"metric": "m-sum", "product": "cards", "timestamp": "2026-12-01T08:00:00Z", "value": 9}
        ]
    )
    metric_rollups_run()
    metric_rollups_run()  # nothing new: no further check-in
    kr.refresh_from_db()
    assert kr.current_value == Decimal("70")
    assert CheckIn.objects.filter(key_result=kr).count() == 2


def test_closed_goals_and_other_periods_are_left_alone(loaded, q4):
    q1 = Period.objects.create(
        name="2027-Q1",
        kind=Period.Kind.QUARTER,
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 3, 31),
    )
    achieved = kr_following(loaded.metrics["sum"], q4, product=loaded.cards)
    Goal.objects.filter(pk=achieved.goal_id).update(status=Goal.Status.ACHIEVED)
    next_quarter = kr_following(loaded.metrics["sum"], q1, product=loaded.cards)
    metric_rollups_run()
    achieved.refresh_from_db()
    next_quarter.refresh_from_db()
    assert achieved.current_value == 0
    assert next_quarter.current_value == Decimal("2")  # 1 January


@pytest.mark.parametrize("count", [1, 8])
def test_following_takes_a_fixed_number_of_queries(loaded, q4, count, django_assert_num_queries):
    """The values of all following key results come from one grouped query, however
    many key results follow a metric."""
    from roadmaps.rollups import key_results_follow_metrics

    rules = ["sum", "average", "last", "min", "max"]
    following = [
        kr_following(loaded.metrics[rules[n % 5]], q4, product=loaded.cards) for n in range(count)
    ]
    metric_rollups_run()
    touched = dict.fromkeys(m.pk for m in loaded.metrics.values())
    # 1 the open key results following the metrics, with goal, period and metric
    # 2 their values over their periods in their scopes, one grouped query
    with django_assert_num_queries(2):
        assert key_results_follow_metrics(touched=touched) == 0  # nothing moved
    # cards in Q4 (2 Nov 10 and 20, 3 Nov 30, 31 Dec 1), by each rule
    expected = {"sum": "61", "average": "15.25", "last": "1", "min": "1", "max": "30"}
    for n, kr in enumerate(following):
        kr.refresh_from_db()
        assert kr.current_value == Decimal(expected[rules[n % 5]])
