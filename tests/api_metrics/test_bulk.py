"""POST /api/v1/metric-observations/bulk/: up to 10,000 readings, all or none, idempotent."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from productorg.services import api_token_create
from roadmaps.models import MetricObservation, PendingRollup

from .conftest import MONDAY, assert_error, reading, rows

URL = "/api/v1/metric-observations/bulk/"


@pytest.fixture
def hr(client_for, cast):
    return client_for(cast.hr_user)


def test_ten_thousand_readings_are_recorded_at_once(hr, metrics):
    body = {"source": "warehouse", "observations": rows(10_000)}
    started = time.monotonic()
    response = hr.post(URL, body)
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content[:500]
    assert response.json() == {"created": 10_000, "updated": 0, "unchanged": 0}
    assert MetricObservation.objects.filter(source="warehouse").count() == 10_000
    # 10,000 hourly readings span 417 days, each marked once for the roll-up job.
    assert PendingRollup.objects.filter(metric=metrics.signups).count() == 417
    # Bulk statements, not a query per row: well under a minute even on a busy machine.
    assert elapsed < 60, elapsed


def test_more_than_ten_thousand_rows_are_refused_before_any_row_is_read(hr, metrics):
    # Rows that are not even objects: the count is checked before any of them.
    response = hr.post(URL, {"observations": ["junk"] * 10_001})
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {
        "observations": ["Send at most 10,000 readings at a time (got 10,001)."]
    }
    assert not MetricObservation.objects.exists()


def test_bad_rows_are_each_listed_and_nothing_is_written(hr, metrics):
    body = {"observations": rows(6)}
    body["observations"][1]["value"] = "lots"
    body["observations"][3]["metric"] = "no-such-metric"
    body["observations"][3]["timestamp"] = "yesterday"
    body["observations"][4]["product"] = "9999"
    body["observations"][5] = {"metric": "signups"}
    error = assert_error(hr.post(URL, body), 400, "invalid")
    assert error["message"].startswith("4 rows could not be read; nothing was written.")
    rows_ = error["fields"]["rows"]
    assert [entry["row"] for entry in rows_] == [2, 4, 5, 6]
    assert rows_[0] == {
        "row": 2,
        "errors": {"value": ["Enter a number (at most 16 digits before the point)."]},
    }
    assert set(rows_[1]["errors"]) == {"metric", "timestamp"}
    assert rows_[1]["errors"]["metric"] == ["No metric with key or id 'no-such-metric'."]
    assert rows_[2]["errors"] == {"product": ["No product with slug or id '9999'."]}
    assert set(rows_[3]["errors"]) == {"product", "timestamp", "value"}
    # Rows 1 and 3 were good, but an upload is all or nothing.
    assert not MetricObservation.objects.exists()
    assert not PendingRollup.objects.exists()


def test_a_retried_upload_changes_nothing_and_counts_nothing_twice(hr, metrics):
    body = {"source": "warehouse", "observations": rows(50)}
    assert hr.post(URL, body).json() == {"created": 50, "updated": 0, "unchanged": 0}
    again = hr.post(URL, body)
    assert again.status_code == 200  # nothing new
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 50}
    assert MetricObservation.objects.count() == 50


def test_a_new_value_for_a_known_reading_counts_as_updated(hr, metrics):
    old = reading(metrics.signups, metrics.checkout, value="5", source="warehouse")
    same = reading(metrics.signups, metrics.checkout, days=1, value="7", source="warehouse")
    body = {
        "source": "warehouse",
        "observations": [
            {
                "metric": "signups",
                "product": "checkout",
                "timestamp": old.timestamp.isoformat(),
                "value": "6",
            },
            {
                "metric": str(metrics.signups.pk),  # by id, and the product by id
                "product": metrics.checkout.pk,
                "timestamp": same.timestamp.isoformat(),
                "value": 7,
            },
            {
                "metric": "signups",
                "product": "checkout",
                "timestamp": (MONDAY + timedelta(days=2)).isoformat(),
                "value": "1.5",
            },
        ],
    }
    response = hr.post(URL, body)
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}
    old.refresh_from_db()
    assert old.value == Decimal("6")
    assert MetricObservation.objects.count() == 3


def test_a_rows_own_source_wins_over_the_default(hr, metrics):
    body = {"source": "warehouse", "observations": rows(2)}
    body["observations"][1]["source"] = "ab-platform"
    assert hr.post(URL, body).status_code == 201
    assert sorted(MetricObservation.objects.values_list("source", flat=True)) == [
        "ab-platform",
        "warehouse",
    ]


def test_the_same_reading_from_two_sources_is_two_readings(hr, metrics):
    body = {"observations": rows(1)}
    hr.post(URL, {**body, "source": "warehouse"})
    response = hr.post(URL, {**body, "source": "crm"})
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "observations", "This field is required."),
        ({"observations": []}, "observations", "There are no readings to record."),
        ({"observations": {"metric": "signups"}}, "observations", "Expected a list of readings."),
        ({"observations": rows(1), "source": "x" * 101}, "source", None),
    ],
)
def test_a_bad_envelope_is_a_400_on_its_field(hr, metrics, body, field, message):
    error = assert_error(hr.post(URL, body), 400, "invalid")
    assert list(error["fields"]) == [field]
    if message:
        assert error["fields"][field] == [message]


def test_a_row_that_is_not_an_object_is_a_row_error(hr, metrics):
    error = assert_error(hr.post(URL, {"observations": [rows(1)[0], "junk"]}), 400)
    assert error["fields"]["rows"] == [{"row": 2, "errors": {"row": ["Expected an object."]}}]


def test_a_successful_upload_enqueues_the_rollup_after_commit(
    hr, metrics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert hr.post(URL, {"observations": rows(3)}).status_code == 201
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        hr.post(URL, {"observations": rows(3)})  # unchanged: nothing to roll up
    assert callbacks == []


def test_a_full_upload_with_long_sources_fits_and_a_huge_body_is_refused(hr, metrics):
    # ~4 MB: above Django's default 2.5 MB request limit, within the upload's own.
    body = {"observations": rows(10_000)}
    for row in body["observations"]:
        row["source"] = "s" * 100
        row["comment"] = "c" * 200  # fields the service does not know are ignored
    response = hr.post(URL, body)
    assert response.status_code == 201, response.content[:300]
    huge = {"observations": rows(1), "padding": "x" * (9 * 1024 * 1024)}
    error = assert_error(hr.post(URL, huge), 400, "parse_error")
    assert "at most 8 MB" in error["message"]
    assert MetricObservation.objects.count() == 10_000


def test_malformed_json_is_a_400_in_the_error_format(hr, metrics):
    response = hr.post(URL, data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


CSV = (
    "metric,product,timestamp,value,source\n"
    "signups,checkout,2026-11-02T00:00:00Z,10,\n"
    "signups,checkout,2026-11-03T00:00:00Z,12,crm\n"
)


def test_a_csv_body_is_an_upload_too(hr, metrics):
    response = hr.post(URL + "?source=warehouse", data=CSV, content_type="text/csv")
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert sorted(MetricObservation.objects.values_list("source", flat=True)) == [
        "crm",
        "warehouse",
    ]
    again = hr.post(URL + "?source=warehouse", data=CSV, content_type="text/csv")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_bad_csv_lists_its_bad_rows_or_names_the_file(hr, metrics):
    bad = CSV + "signups,checkout,someday,1,\n"
    error = assert_error(hr.post(URL, data=bad, content_type="text/csv"), 400, "invalid")
    assert [entry["row"] for entry in error["fields"]["rows"]] == [3]
    headless = "metric;value\nsignups;1\n"
    error = assert_error(hr.post(URL, data=headless, content_type="text/csv"), 400, "invalid")
    assert "missing: product, timestamp" in error["fields"]["file"][0]
    assert not MetricObservation.objects.exists()


def test_an_integration_uploads_with_a_bearer_token(cast, metrics):
    _, raw = api_token_create(user=cast.report_user, name="Warehouse sync")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(URL, {"source": "warehouse", "observations": rows(3)}, format="json")
    assert response.status_code == 201, response.content
    csv = client.post(URL, data=CSV, content_type="text/csv")
    assert csv.status_code == 201, csv.content
    assert_error(APIClient().post(URL, {"observations": rows(1)}, format="json"), 401)
