"""Filters and ordering of the three metric lists (query parameters)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from roadmaps.models import MetricRollup

from .conftest import assert_error, reading, results


@pytest.fixture
def client(client_for, cast):
    return client_for(cast.peer_user)


def keys(response) -> list[str]:
    return [row["key"] for row in results(response)]


def test_metrics_by_key_product_owner_aggregation_and_words(client, cast, metrics):
    url = "/api/v1/metrics/"
    assert keys(client.get(url, {"key": "nps"})) == ["nps"]
    assert keys(client.get(url, {"product": metrics.checkout.pk})) == ["signups"]
    assert keys(client.get(url, {"owner": cast.peer.pk})) == ["nps"]
    assert keys(client.get(url, {"aggregation": "min"})) == ["uptime"]
    assert keys(client.get(url, {"search": "promoter"})) == ["nps"]
    assert keys(client.get(url, {"search": "accounts sign"})) == ["signups"]
    assert keys(client.get(url, {"ordering": "-name"})) == ["uptime", "signups", "nps"]
    assert_error(client.get(url, {"aggregation": "median"}), 400, "invalid")


def test_readings_by_metric_product_time_and_source(client, metrics):
    signups, nps = metrics.signups, metrics.nps
    a = reading(signups, metrics.checkout, days=0, source="warehouse")
    b = reading(signups, metrics.checkout, days=1)
    c = reading(signups, metrics.wallet, days=2)
    d = reading(nps, metrics.checkout, days=3)
    url = "/api/v1/metric-observations/"

    def ids(**params):
        return [row["id"] for row in results(client.get(url, params))]

    assert ids() == [d.pk, c.pk, b.pk, a.pk]  # newest first
    assert ids(ordering="timestamp") == [a.pk, b.pk, c.pk, d.pk]
    assert ids(metric="signups") == ids(metric=str(signups.pk)) == [c.pk, b.pk, a.pk]
    assert ids(product="wallet") == ids(product=str(metrics.wallet.pk)) == [c.pk]
    assert ids(metric="signups", product="checkout") == [b.pk, a.pk]
    assert ids(source="warehouse") == [a.pk]
    # from is inclusive, to exclusive.
    assert ids(**{"from": b.timestamp.isoformat(), "to": d.timestamp.isoformat()}) == [c.pk, b.pk]
    assert ids(metric="no-such-metric") == []
    assert ids(metric="9" * 30) == []
    assert_error(client.get(url, {"from": "last week"}), 400, "invalid")
    row = results(client.get(url, {"source": "warehouse"}))[0]
    assert row["metric_key"] == "signups" and row["product_slug"] == "checkout"


def test_rollups_by_metric_scope_grain_and_period(client, metrics):
    now, monday = timezone.now(), date(2026, 11, 2)
    rollups = MetricRollup.objects.bulk_create(
        MetricRollup(
            metric=metric,
            scope=scope,
            scope_id=scope_id,
            grain=grain,
            period_start=monday + timedelta(weeks=week),
            value=week,
            observation_count=1,
            observation_sum=week,
            last_observed_at=now,
            computed_at=now,
        )
        for metric in (metrics.signups, metrics.nps)
        for scope, scope_id in (("product", metrics.checkout.pk), ("company", 0))
        for grain in ("week", "month")
        for week in range(3)
    )
    url = "/api/v1/metric-rollups/"

    def rows(**params):
        return results(client.get(url, {"page_size": 100, **params}))

    assert len(rows()) == len(rollups) == 24
    assert {r["metric_key"] for r in rows(metric="nps")} == {"nps"}
    assert len(rows(metric=str(metrics.nps.pk))) == 12
    picked = rows(metric="signups", scope="company", scope_id=0, grain="week")
    assert [r["period_start"] for r in picked] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert [r["value"] for r in picked] == ["0.0000", "1.0000", "2.0000"]
    ranged = rows(
        metric="signups",
        scope="product",
        grain="week",
        **{"from": "2026-11-09", "to": "2026-11-16"},
    )
    assert [r["period_start"] for r in ranged] == ["2026-11-09", "2026-11-16"]
    newest = rows(metric="signups", scope="company", grain="month", ordering="-period_start")
    assert newest[0]["period_start"] == "2026-11-16"
    assert (
        rows(scope_id=metrics.checkout.pk, scope="product", grain="week", metric="nps")[0][
            "scope_id"
        ]
        == metrics.checkout.pk
    )
    assert_error(client.get(url, {"grain": "year"}), 400, "invalid")
    assert_error(client.get(url, {"from": "2026-13-01"}), 400, "invalid")
