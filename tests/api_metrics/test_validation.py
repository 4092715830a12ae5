"""Bad payloads answer 400 in the one error format, naming the field at fault, and
change nothing; a single reading is checked exactly like a row of an upload."""

from __future__ import annotations

import pytest

from roadmaps.models import Metric, MetricObservation, PendingRollup

from .conftest import MONDAY, assert_error, reading

READINGS = "/api/v1/metric-observations/"


@pytest.fixture
def hr(client_for, cast):
    return client_for(cast.hr_user)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No key"}, "key"),
        ({"key": "not a slug", "name": "Spaces"}, "key"),
        ({"key": "signups", "name": "Taken"}, "key"),
        ({"key": "ok"}, "name"),
        ({"key": "ok", "name": "Ok", "aggregation": "median"}, "aggregation"),
        ({"key": "ok", "name": "Ok", "direction": "sideways"}, "direction"),
        ({"key": "ok", "name": "Ok", "product": 9999}, "product"),
    ],
)
def test_a_bad_metric_is_a_400_on_its_field(hr, metrics, body, field):
    error = assert_error(hr.post("/api/v1/metrics/", body), 400, "invalid")
    assert field in error["fields"], error
    assert Metric.objects.count() == 3


def test_a_taken_key_is_reported_once_in_the_services_words(hr, metrics):
    error = assert_error(hr.post("/api/v1/metrics/", {"key": "signups", "name": "Again"}), 400)
    assert error["fields"] == {"key": ["Metric with this Key already exists."]}


def test_a_key_cannot_change_once_readings_exist(hr, metrics):
    url = f"/api/v1/metrics/{metrics.signups.pk}/"
    assert hr.patch(f"/api/v1/metrics/{metrics.nps.pk}/", {"key": "promoters"}).status_code == 200
    reading(metrics.signups, metrics.checkout)
    error = assert_error(hr.patch(url, {"key": "accounts"}), 400, "invalid")
    assert "cannot change once readings exist" in error["fields"]["key"][0]
    metrics.signups.refresh_from_db()
    assert metrics.signups.key == "signups"


def test_a_new_aggregation_queues_every_reported_day_for_the_rollup(
    hr, metrics, django_capture_on_commit_callbacks
):
    for i, days in enumerate((0, 0, 3)):
        reading(metrics.signups, metrics.checkout, days=days, source=f"source {i}")
    with django_capture_on_commit_callbacks() as enqueued:
        response = hr.patch(f"/api/v1/metrics/{metrics.signups.pk}/", {"aggregation": "max"})
    assert response.status_code == 200, response.content
    assert len(enqueued) == 1  # the roll-up job, once the change has committed
    assert sorted(PendingRollup.objects.values_list("day", flat=True)) == [
        MONDAY.date(),
        MONDAY.date().replace(day=5),
    ]
    # A change that keeps the rule queues nothing.
    PendingRollup.objects.all().delete()
    with django_capture_on_commit_callbacks() as enqueued:
        hr.patch(f"/api/v1/metrics/{metrics.signups.pk}/", {"name": "Accounts opened"})
    assert enqueued == [] and not PendingRollup.objects.exists()


# --- a single reading -----------------------------------------------------------------


def one(**overrides):
    return {
        "metric": "signups",
        "product": "checkout",
        "timestamp": "2026-11-02T09:00:00Z",
        "value": "12.5",
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"metric": "nope"}, "metric", "No metric with key or id 'nope'."),
        ({"product": "nope"}, "product", "No product with slug or id 'nope'."),
        ({"metric": None}, "metric", "This field is required."),
        ({"timestamp": "next tuesday"}, "timestamp", None),
        ({"value": "a lot"}, "value", None),
        ({"value": "1e20"}, "value", None),
        ({"source": "x" * 101}, "source", "At most 100 characters."),
    ],
)
def test_a_bad_reading_is_a_400_on_its_field(hr, metrics, overrides, field, message):
    error = assert_error(hr.post(READINGS, one(**overrides)), 400, "invalid")
    assert field in error["fields"], error
    if message:
        assert error["fields"][field] == [message]
    assert not MetricObservation.objects.exists()


def test_a_reading_is_created_then_replaced(hr, metrics):
    created = hr.post(READINGS, one())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["metric_key"] == "signups" and body["product_slug"] == "checkout"
    assert body["value"] == "12.5000" and body["timestamp"].startswith("2026-11-02T09:00:00")
    # The same reading by ids, with a new value: replaced, not doubled.
    again = hr.post(
        READINGS, one(metric=metrics.signups.pk, product=str(metrics.checkout.pk), value=13)
    )
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"] and again.json()["value"] == "13.0000"
    assert MetricObservation.objects.count() == 1


def test_a_reading_without_an_offset_is_utc_and_a_bare_date_is_midnight(hr, metrics):
    assert hr.post(READINGS, one(timestamp="2026-11-02T09:00:00")).status_code == 201
    assert hr.post(READINGS, one(timestamp="2026-11-03")).status_code == 201
    stamps = sorted(o.timestamp.isoformat() for o in MetricObservation.objects.all())
    assert stamps == ["2026-11-02T09:00:00+00:00", "2026-11-03T00:00:00+00:00"]


def test_a_reading_that_is_not_an_object_is_a_400(hr, metrics):
    error = assert_error(hr.post(READINGS, [one()]), 400, "invalid")
    assert error["fields"] == {"non_field_errors": ["Expected one reading."]}
