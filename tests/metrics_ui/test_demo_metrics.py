"""The demo's metric readings: each product's expected metrics over ~120 days, with the
shapes real readings have, rolled up, and key results that follow a metric agree with it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from roadmaps.demo.metrics import HISTORY_DAYS, SOURCE
from roadmaps.models import (
    CheckIn,
    KeyResult,
    Metric,
    MetricObservation,
    MetricRollup,
    Product,
    StagePolicy,
)
from roadmaps.rollups import _goal_scope, metric_value_over

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = StringIO()
    call_command("seed_demo", size="small", stdout=out, stderr=StringIO())
    return out.getvalue()


def check_seeding_reports_the_readings_and_their_roll_ups(demo):
    line = next(line for line in demo.splitlines() if "metric readings" in line)
    assert "rolled them up" in line


def check_every_product_reports_the_metrics_its_stage_expects():
    expected = dict(StagePolicy.objects.values_list("stage", "expected_metric_keys"))
    reported = {
        (product_id, key)
        for product_id, key in MetricObservation.objects.values_list(
            "product_id", "metric__key"
        ).distinct()
    }
    products = list(Product.objects.all())
    assert products
    for product in products:
        for key in expected[product.stage]:
            assert (product.pk, key) in reported, (product.slug, key)
    assert set(MetricObservation.objects.values_list("source", flat=True).distinct()) == {SOURCE}
    assert 2_000 < MetricObservation.objects.count() < 20_000  # a few thousand: fast to seed


def check_readings_span_the_last_120_days_up_to_now():
    span = MetricObservation.objects.aggregate(first=Min("timestamp"), last=Max("timestamp"))
    today = timezone.localdate()
    assert span["first"].date() == today - dt.timedelta(days=HISTORY_DAYS)
    assert span["last"] <= timezone.now()
    assert span["last"] >= timezone.now() - dt.timedelta(days=1)


def check_counters_count_events_and_gauges_have_weekends():
    interviews = MetricObservation.objects.filter(metric__key="customer_interviews")
    assert all(v == int(v) and v >= 0 for v in interviews.values_list("value", flat=True))
    revenue = list(
        MetricObservation.objects.filter(metric__key="revenue").values_list("timestamp", "value")
    )
    weekend = [v for t, v in revenue if t.weekday() >= 5]
    weekday = [v for t, v in revenue if t.weekday() < 5]
    # Quieter weekends: revenue a weekend day is below that of a weekday on average.
    assert sum(weekend) / len(weekend) < sum(weekday) / len(weekday)


def check_roll_ups_exist_for_every_scope_and_grain():
    rollups = MetricRollup.objects.values("scope", "grain").annotate(n=Count("id"))
    seen = {(row["scope"], row["grain"]) for row in rollups}
    for scope in ("product", "team", "business_unit", "company"):
        for grain in ("day", "week", "month", "quarter"):
            assert (scope, grain) in seen
    # Each product's expected metrics have a daily roll-up at product scope.
    product_days = set(
        MetricRollup.objects.filter(scope="product", grain="day")
        .values_list("scope_id", "metric__key")
        .distinct()
    )
    reported = set(MetricObservation.objects.values_list("product_id", "metric__key").distinct())
    assert product_days == reported


def test_the_small_demo_reports_each_products_metrics_rolled_up(demo):
    """Seeding takes seconds: one seed, every check."""
    check_seeding_reports_the_readings_and_their_roll_ups(demo)
    check_every_product_reports_the_metrics_its_stage_expects()
    check_readings_span_the_last_120_days_up_to_now()
    check_counters_count_events_and_gauges_have_weekends()
    check_roll_ups_exist_for_every_scope_and_grain()
    check_key_results_that_follow_a_metric_agree_with_it()


def check_key_results_that_follow_a_metric_agree_with_it():
    followers = list(
        KeyResult.objects.filter(metric__isnull=False).select_related("goal__period", "metric")
    )
    assert len(followers) >= 5
    assert {kr.metric.aggregation for kr in followers} >= {"last", "average", "sum"}
    for kr in followers:
        assert kr.goal.product_id is not None
        scope, scope_id = _goal_scope(kr.goal)
        value = metric_value_over(
            metric=kr.metric,
            scope=scope,
            scope_id=scope_id,
            start=kr.goal.period.start,
            end=kr.goal.period.end,
        )
        assert value is not None and abs(value - kr.current_value) < 0.0001, kr.title
    # So the roll-up's follow-up had nothing to check in.
    assert not CheckIn.objects.filter(note__startswith="Followed the metric").exists()


def test_reset_replaces_the_readings(demo):
    before = MetricObservation.objects.count()
    out = StringIO()
    call_command("seed_demo", size="small", reset=True, stdout=out, stderr=StringIO())
    assert MetricObservation.objects.count() == before
    assert Metric.objects.exists() and MetricRollup.objects.exists()
