"""Bulk ingestion: all or nothing with every bad row listed, idempotent, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest

from productorg.errors import ApplicationError
from roadmaps.models import MetricObservation, PendingRollup
from roadmaps.observations import (
    MAX_ROWS,
    RowErrors,
    observations_ingest,
    observations_parse_csv,
)


def test_bad_rows_write_nothing_and_are_all_listed(world):
    key = world.metrics["sum"].key
    rows = [
        {"metric": key, "product": "cards", "timestamp": "2026-11-02T09:00:00Z", "value": 1},
        {"metric": "nope", "product": "cards", "timestamp": "2026-11-02T09:00:00Z", "value": 1},
        {"metric": key, "product": "nowhere", "timestamp": "2026-11-02", "value": 1},
        {"metric": key, "product": "cards", "timestamp": "yesterday", "value": "ten"},
        {"metric": key, "product": "cards", "timestamp": "2026-11-02T10:00:00Z", "value": "1e20"},
        {"metric": key, "product": "cards", "timestamp": "2026-11-02T09:00:00Z", "value": 2},
        {"product": "cards", "value": 1},
    ]
    with pytest.raises(RowErrors) as caught:
        observations_ingest(rows=rows)
    errors = {entry["row"]: entry["errors"] for entry in caught.value.row_errors}
    assert set(errors) == {2, 3, 4, 5, 6, 7}
    assert "metric" in errors[2]
    assert set(errors[3]) == {"product"}
    assert set(errors[4]) == {"timestamp", "value"}
    assert set(errors[5]) == {"value"}
    assert "Row 1" in errors[6]["value"][0]  # same reading twice with two values
    assert set(errors[7]) == {"metric", "timestamp"}
    assert "Row 4: value: Enter a number" in " ".join(caught.value.field_errors["rows"])
    assert not MetricObservation.objects.exists()
    assert not PendingRollup.objects.exists()


def test_too_many_rows_are_refused_before_reading_them(world):
    rows = [{}] * (MAX_ROWS + 1)
    with pytest.raises(ApplicationError) as caught:
        observations_ingest(rows=rows)
    assert "10,000" in caught.value.message


def test_ten_thousand_rows_in_one_call(world):
    key = world.metrics["sum"].key
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        {
            "metric": key,
            "product": ["cards", "wallet", "ads"][n % 3],
            "timestamp": (start + dt.timedelta(hours=n)).isoformat(),
            "value": n,
        }
        for n in range(MAX_ROWS)
    ]
    result = observations_ingest(rows=rows, default_source="batch")
    assert result.created == MAX_ROWS
    assert MetricObservation.objects.filter(source="batch").count() == MAX_ROWS
    again = observations_ingest(rows=rows, default_source="batch")
    assert again.unchanged == MAX_ROWS
    assert MetricObservation.objects.count() == MAX_ROWS


def test_the_same_reading_from_two_sources_is_two_readings(world):
    key = world.metrics["sum"].key
    row = {"metric": key, "product": "cards", "timestamp": "2026-11-02T09:00:00Z", "value": 1}
    observations_ingest(rows=[{**row, "source": "a"}, {**row, "source": "b"}])
    assert MetricObservation.objects.count() == 2


def test_naive_times_are_utc_and_dates_are_midnight(world):
    key = world.metrics["sum"].key
    observations_ingest(
        rows=[
            {"metric": key, "product": "cards", "timestamp": "2026-11-02T09:00:00", "value": 1},
            {"metric": key, "product": "cards", "timestamp": "2026-11-03", "value": 1},
            {
                "metric": key,
                "product": "cards",
                "timestamp": "2026-11-04T09:00:00+02:00",
                "value": 1,
            },
        ]
    )
    times = sorted(MetricObservation.objects.values_list("timestamp", flat=True))
    assert times == [
        dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 3, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 4, 7, tzinfo=dt.UTC),
    ]


@pytest.mark.parametrize("size", [10, 1000])
def test_ingestion_queries_do_not_grow_with_rows(world, size, django_assert_num_queries):
    key = world.metrics["sum"].key
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        {
            "metric": key,
            "product": "cards",
            "timestamp": (start + dt.timedelta(hours=n)).isoformat(),
            "value": n,
        }
        for n in range(size)
    ]
    with django_assert_num_queries(
        1  # SAVEPOINT (the service's atomic block inside the test's transaction)
        + 1  # metrics by key or id
        + 1  # products by slug or id
        + 1  # readings already recorded for these series in the upload's time span
        + 1  # the upsert of new and changed readings (executemany: one statement)
        + 1  # the (metric, day) marks for the roll-up (executemany, ON CONFLICT DO NOTHING)
        + 1  # RELEASE SAVEPOINT
    ):
        observations_ingest(rows=rows)


def test_members_report_only_for_products_their_subtree_owns(cast, world):
    world.cards.owner = cast.report
    world.cards.save()
    key = world.metrics["sum"].key
    row = {"metric": key, "timestamp": "2026-11-02T09:00:00Z", "value": 1}
    # the product owner's manager may report for it; a peer may not
    observations_ingest(rows=[{**row, "product": "cards"}], acting_user=cast.leader.user)
    with pytest.raises(RowErrors) as caught:
        observations_ingest(
            rows=[{**row, "product": "cards", "value": 2}], acting_user=cast.peer.user
        )
    assert caught.value.row_errors[0]["errors"]["product"] == [
        "You may not report metrics for this product."
    ]
    with pytest.raises(RowErrors):
        observations_ingest(rows=[{**row, "product": "wallet"}], acting_user=cast.leader.user)


def test_csv_parsing(world):
    text = "\ufeffMetric;Product;Timestamp;Value;Source\nm-sum;cards;2026-11-02T09:00:00Z;3.5;csv\n"
    rows = observations_parse_csv(file=__import__("io").BytesIO(text.encode()))
    assert rows == [
        {
            "metric": "m-sum",
            "product": "cards",
            "timestamp": "2026-11-02T09:00:00Z",
            "value": "3.5",
            "source": "csv",
        }
    ]
    with pytest.raises(ApplicationError) as caught:
        observations_parse_csv(file=__import__("io").BytesIO(b"name,value\nx,1\n"))
    assert "missing: metric, product, timestamp" in caught.value.message
    with pytest.raises(ApplicationError):
        observations_parse_csv(file=__import__("io").BytesIO(b"\xff\xfe\x00bad"))


def test_rows_that_are_not_objects_are_row_errors(world):
    with pytest.raises(RowErrors) as caught:
        observations_ingest(rows=[1, "x", {}])
    errors = caught.value.row_errors
    assert [entry["row"] for entry in errors] == [1, 2, 3]
    assert errors[0]["errors"] == {"row": ["Expected an object."]}
