"""Every metric list answers with the same number of queries for small data and large,
and a bulk upload with the same number for 10 readings and 1,000.

Every row is built with each relation it shows filled in (a metric's owner and
product; a reading's metric and product; a roll-up's metric), so a missing
``select_related`` would show up as one query per row of the page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from roadmaps.models import Metric, MetricObservation, MetricRollup, Product
from roles.models import Person
from tests.conftest import build_org

from .conftest import rows

SIZES = [20, 2000]


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-rows")
def data(request, cast, metrics) -> int:
    """``size`` metrics, readings and roll-ups, owned across an org, bulk-created."""
    size = request.param
    root = build_org(size=max(20, size // 20))
    people = list(Person.objects.filter(business_unit=root.business_unit).order_by("pk"))
    now = timezone.now()
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {i}",
            slug=f"product-{i}",
            business_unit=root.business_unit,
            team=root.team,
            owner=people[i % len(people)],
            stage_changed_at=now,
        )
        for i in range(max(2, size // 20))
    )
    created = Metric.objects.bulk_create(
        Metric(
            key=f"metric-{i}",
            name=f"Metric {i}",
            owner=people[i % len(people)],
            product=products[i % len(products)],
        )
        for i in range(size)
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    MetricObservation.objects.bulk_create(
        MetricObservation(
            metric=created[i % len(created)],
            product=products[i % len(products)],
            timestamp=start + timedelta(hours=i),
            value=i,
        )
        for i in range(size)
    )
    MetricRollup.objects.bulk_create(
        MetricRollup(
            metric=created[i % len(created)],
            scope="product",
            scope_id=products[i % len(products)].pk,
            grain="day",
            period_start=date(2026, 1, 1) + timedelta(days=i),
            value=i,
            observation_count=1,
            observation_sum=i,
            last_observed_at=now,
            computed_at=now,
        )
        for i in range(size)
    )
    return size


# Every request of a signed-in member starts and ends the same way:
#   SAVEPOINT … RELEASE of ATOMIC_REQUESTS (2), the session row (1), the user (1).
BASE = 4
# Then, once per request, what edit rights need (cached on the user):
#   1. HR admin group membership   2. user.person   3. the viewer's subtree (reporting-line closure)
VIEWER = 3
# A page: 1. COUNT(*) for the pagination   2. the page with its relations joined.
PAGE = 2


@pytest.mark.parametrize(
    ("url", "viewer"),
    [
        # VIEWER for each metric's can_edit; the page joins owner and product.
        ("/api/v1/metrics/", VIEWER),
        # Readings are public: no viewer queries; the page joins metric and product.
        ("/api/v1/metric-observations/", 0),
        # Roll-ups likewise; the page joins the metric.
        ("/api/v1/metric-rollups/", 0),
    ],
)
def test_a_list_page(client_for, cast, data, url, viewer, django_assert_num_queries):
    client = client_for(cast.report_user)
    with django_assert_num_queries(BASE + viewer + PAGE):
        response = client.get(url + "?page_size=500")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == min(500, body["count"]) and body["count"] >= data


def test_filtered_lists(client_for, cast, data, metrics, django_assert_num_queries):
    client = client_for(cast.report_user)
    # BASE, VIEWER, 1. the product exists   2. the owner exists (filter validation), PAGE
    with django_assert_num_queries(BASE + VIEWER + 2 + PAGE):
        url = f"/api/v1/metrics/?product={metrics.checkout.pk}&owner={cast.subreport.pk}"
        assert client.get(url + "&search=sign&ordering=-name").json()["count"] == 1
    # A metric by key and a product by slug are joins of the page's WHERE: BASE, PAGE.
    with django_assert_num_queries(BASE + PAGE):
        url = "/api/v1/metric-observations/?metric=metric-1&product=product-1"
        assert client.get(url + "&from=2026-01-01T00:00:00Z&ordering=timestamp").status_code == 200
    with django_assert_num_queries(BASE + PAGE):
        url = "/api/v1/metric-rollups/?metric=metric-1&scope=product&grain=day&from=2026-01-01"
        assert client.get(url).status_code == 200


def test_one_of_each(client_for, cast, data, django_assert_num_queries):
    client = client_for(cast.report_user)
    metric = Metric.objects.get(key="metric-1")
    # BASE, VIEWER (can_edit), 1. the metric with owner and product
    with django_assert_num_queries(BASE + VIEWER + 1):
        assert client.get(f"/api/v1/metrics/{metric.pk}/").status_code == 200
    reading = MetricObservation.objects.first()
    # BASE, 1. the reading with metric and product
    with django_assert_num_queries(BASE + 1):
        assert client.get(f"/api/v1/metric-observations/{reading.pk}/").status_code == 200


# What ingestion costs, whatever the number of rows (roadmaps.observations):
#   SAVEPOINT … RELEASE of the service's transaction (2), 1. the metrics named
#   2. the products named   3. the readings already recorded in the upload's span
#   4. one INSERT … ON CONFLICT of the readings (batches of 4,000)
#   5. one INSERT of the days to roll up
INGEST = 7


@pytest.mark.parametrize("size", [10, 1000])
def test_a_bulk_upload(client_for, cast, metrics, size, django_assert_num_queries):
    client = client_for(cast.report_user)
    body = {"source": "warehouse", "observations": rows(size)}
    # BASE, VIEWER (each row: may Priya report for its product?), INGEST
    with django_assert_num_queries(BASE + VIEWER + INGEST):
        response = client.post("/api/v1/metric-observations/bulk/", body)
    assert response.json() == {"created": size, "updated": 0, "unchanged": 0}
    # A retry writes nothing: the two INSERTs are skipped.
    with django_assert_num_queries(BASE + VIEWER + INGEST - 2):
        response = client.post("/api/v1/metric-observations/bulk/", body)
    assert response.json() == {"created": 0, "updated": 0, "unchanged": size}


def test_one_reading(client_for, cast, metrics, django_assert_num_queries):
    client = client_for(cast.report_user)
    body = {"metric": "signups", "product": "checkout", "timestamp": "2026-11-02", "value": 1}
    # BASE, 1. the metric named   2. the product named, VIEWER (may Priya report it?),
    # INGEST, 3. the reading recorded, with metric and product, for the answer
    with django_assert_num_queries(BASE + 2 + VIEWER + INGEST + 1):
        assert client.post("/api/v1/metric-observations/", body).status_code == 201
