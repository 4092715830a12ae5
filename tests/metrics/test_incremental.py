"""Runs are incremental and repeatable: a re-run changes nothing, a new reading
recomputes only the buckets that hold it, and a full run agrees with the incremental one."""

from __future__ import annotations

import datetime as dt

import pytest

from roadmaps.models import MetricRollup, PendingRollup
from roadmaps.observations import observations_ingest
from roadmaps.rollups import metric_rollups_run

from .conftest import readings_rows


def snapshot():
    return {
        (r.metric_id, r.scope, r.scope_id, r.grain, r.period_start): (
            r.value,
            r.observation_count,
            r.observation_sum,
            r.last_observed_at,
            r.computed_at,
        )
        for r in MetricRollup.objects.all()
    }


def values(rows):
    return {key: value[:4] for key, value in rows.items()}


@pytest.fixture
def rolled(loaded):
    metric_rollups_run()
    return loaded


def test_ingestion_marks_days_and_a_run_claims_them(loaded):
    assert PendingRollup.objects.count() == 5 * 6  # 5 metrics x 6 distinct UTC days
    result = metric_rollups_run()
    assert result.metrics == 5
    assert result.rows_written > 0
    assert not PendingRollup.objects.exists()


def test_a_second_run_changes_nothing(rolled):
    before = snapshot()
    result = metric_rollups_run()
    assert result.metrics == 0
    assert snapshot() == before  # not even computed_at moved


def test_a_full_run_gives_the_same_values(rolled):
    before = snapshot()
    metric_rollups_run(full=True)
    after = snapshot()
    assert values(after) == values(before)


def test_a_new_reading_recomputes_only_its_buckets(rolled):
    before = snapshot()
    sums = rolled.metrics["sum"]
    observations_ingest(
        rows=[
            {
                "metric": sums.key,
                "product": "wallet",
                "timestamp": "2026-11-03T07:00:00Z",
                "value": 4,
            }
        ]
    )
    metric_rollups_run()
    after = snapshot()
    changed = {key for key in after if after[key][:4] != before.get(key, (None,) * 5)[:4]}
    # wallet: day 3 Nov (new), week of 2 Nov, November, Q4; the Payments and Company
    # units; the company. No team: wallet has none.
    wallet, payments, company = rolled.wallet.pk, rolled.payments.pk, rolled.company.pk
    D = dt.date
    touched = [("day", D(2026, 11, 3)), ("week", D(2026, 11, 2)), ("month", D(2026, 11, 1))]
    touched.append(("quarter", D(2026, 10, 1)))
    expected = set()
    for grain, start in touched:
        expected |= {
            (sums.pk, "product", wallet, grain, start),
            (sums.pk, "business_unit", payments, grain, start),
            (sums.pk, "business_unit", company, grain, start),
            (sums.pk, "company", 0, grain, start),
        }
    assert changed == expected
    assert after[(sums.pk, "business_unit", payments, "week", D(2026, 11, 2))][0] == 69
    # Only the buckets holding 3 November were recomputed: every other row, of this
    # metric or another, was not even rewritten.
    rewritten = {key for key in after if after[key][4] != before.get(key, (None,) * 5)[4]}
    assert rewritten
    assert {(key[0], key[3], key[4]) for key in rewritten} <= {
        (sums.pk, grain, start) for grain, start in touched
    }


def test_a_retried_upload_does_not_double_count(rolled):
    before = values(snapshot())
    again = observations_ingest(rows=readings_rows([m.key for m in rolled.metrics.values()]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 40)
    assert not PendingRollup.objects.exists()
    metric_rollups_run()
    assert values(snapshot()) == before


def test_a_corrected_value_replaces_the_reading(rolled):
    sums = rolled.metrics["sum"]
    result = observations_ingest(
        rows=[
            {
                "metric": sums.key,
                "product": "cards",
                "timestamp": "2026-11-02T09:00:00Z",
                "value": 12,
                "source": "warehouse",
            }
        ]
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    metric_rollups_run()
    row = MetricRollup.objects.get(
        metric=sums, scope="company", grain="week", period_start=dt.date(2026, 11, 2)
    )
    assert row.value == 167 and row.observation_count == 5


def test_a_bucket_left_without_readings_is_dropped(rolled):
    """Moving a product to another team is picked up by a full run."""
    rolled.cards.team = rolled.acquisition
    rolled.cards.save()
    metric_rollups_run(full=True)
    assert not MetricRollup.objects.filter(scope="team", scope_id=rolled.checkout.pk).exists()
    row = MetricRollup.objects.get(
        metric=rolled.metrics["sum"],
        scope="team",
        scope_id=rolled.acquisition.pk,
        grain="week",
        period_start=dt.date(2026, 11, 2),
    )
    assert row.value == 160


def test_moving_a_product_recomputes_its_buckets_on_the_next_run(rolled):
    from roadmaps.services import product_update

    product_update(product=rolled.cards, team=rolled.acquisition)
    metric_rollups_run()
    assert not MetricRollup.objects.filter(scope="team", scope_id=rolled.checkout.pk).exists()
    row = MetricRollup.objects.get(
        metric=rolled.metrics["sum"],
        scope="team",
        scope_id=rolled.acquisition.pk,
        grain="week",
        period_start=dt.date(2026, 11, 2),
    )
    assert row.value == 160
