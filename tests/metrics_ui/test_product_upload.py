"""The product page: its metrics with their latest daily roll-up, and a CSV upload of
readings for those who may edit the product — htmx or a plain form, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from roadmaps.models import MetricObservation, MetricRollup

from .conftest import BAD_ROWS, GOOD_ROWS, HX, csv_file


def upload_url(product) -> str:
    return reverse("product-metrics-upload", args=[product.pk])


def page_url(product) -> str:
    return reverse("product-detail", args=[product.pk])


def rollup(metric, product, day: dt.date, value, count=1):
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return MetricRollup.objects.create(
        metric=metric,
        scope="product",
        scope_id=product.pk,
        grain="day",
        period_start=day,
        value=value,
        observation_count=count,
        observation_sum=Decimal(value) * count,
        last_observed_at=at,
        computed_at=timezone.now(),
    )


@pytest.mark.parametrize("who", ["report", "leader", "top", "hr"])
def test_editors_see_the_upload_form(client, cast, product, metrics, who):
    user = cast.hr_user if who == "hr" else getattr(cast, who).user
    client.force_login(user)
    response = client.get(page_url(product))
    assert response.status_code == 200
    assert "Upload metric readings (CSV)" in response.content.decode()
    assert upload_url(product) in response.content.decode()


def test_others_see_metrics_but_no_upload_and_may_not_post(client, cast, product, metrics):
    client.force_login(cast.peer_user)
    response = client.get(page_url(product))
    assert response.status_code == 200
    assert 'id="metrics"' in response.content.decode()
    assert "Upload metric readings" not in response.content.decode()
    post = client.post(upload_url(product), {"file": csv_file(*GOOD_ROWS)})
    assert post.status_code == 403
    assert client.post(reverse("product-metrics-upload", args=[99999])).status_code == 404
    assert MetricObservation.objects.count() == 0


def test_htmx_upload_answers_with_what_was_saved(client, cast, product, metrics):
    client.force_login(cast.report_user)
    response = client.post(upload_url(product), {"file": csv_file(*GOOD_ROWS)}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="metric-upload"' in body and "<html" not in body
    assert 'role="status"' in body
    assert "3 readings uploaded: 3 new, 0 updated, 0 unchanged." in body
    assert MetricObservation.objects.filter(product=product).count() == 3


def test_htmx_upload_with_bad_rows_lists_them_by_the_field(client, cast, product, metrics):
    client.force_login(cast.report_user)
    response = client.post(upload_url(product), {"file": csv_file(*BAD_ROWS)}, **HX)
    assert response.status_code == 422  # htmx swaps it in (static/js/app.js)
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert (
        'aria-describedby="metric-upload-file-help metric-upload-file-error metric-upload-rows"'
        in body
    )
    assert 'id="metric-upload-file-error" role="alert"' in body
    assert "Row 2, metric: No metric with key or id &#x27;nosuchmetric&#x27;." in body
    assert "Row 3, timestamp:" in body and "Row 3, value:" in body
    assert MetricObservation.objects.count() == 0


def test_plain_upload_redirects_with_a_message(client, cast, product, metrics):
    client.force_login(cast.leader_user)
    response = client.post(upload_url(product), {"file": csv_file(*GOOD_ROWS), "source": "x"})
    assert response.status_code == 302
    assert response.url == page_url(product) + "#metrics"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "3 readings uploaded: 3 new, 0 updated, 0 unchanged. Roll-ups follow within minutes."
    ]


def test_plain_upload_with_errors_shows_the_page_again(client, cast, product, metrics):
    client.force_login(cast.report_user)
    response = client.post(upload_url(product), {"file": csv_file(*BAD_ROWS)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<h1>Checkout</h1>" in body
    assert "2 rows of the file have errors: nothing was saved." in body
    assert "<details open>" in body
    missing = client.post(upload_url(product), {})
    assert missing.status_code == 400
    assert "Choose a CSV file to upload." in missing.content.decode()
    assert MetricObservation.objects.count() == 0


def test_rows_of_another_product_are_refused_on_this_page(
    client, cast, product, other_product, metrics
):
    client.force_login(cast.hr_user)  # may report for both, but not from this page
    rows = (*GOOD_ROWS, f"signups,{other_product.slug},2026-05-04T09:00:00Z,1,")
    response = client.post(upload_url(product), {"file": csv_file(*rows)}, **HX)
    assert response.status_code == 422
    assert "Row 4, product: Only readings of Checkout belong here." in response.content.decode()
    assert MetricObservation.objects.count() == 0


def test_the_metrics_section_shows_each_metrics_latest_day(client, cast, product, metrics):
    signups, wau = metrics
    today = timezone.localdate()
    rollup(signups, product, today - dt.timedelta(days=2), Decimal("40"), count=4)
    rollup(signups, product, today - dt.timedelta(days=1), Decimal("52"), count=5)
    rollup(wau, product, today - dt.timedelta(days=1), Decimal("1234"))
    rollup(wau, product, today, Decimal("1301"))
    # Another product's and another scope's roll-ups stay out.
    MetricRollup.objects.create(
        metric=signups,
        scope="company",
        scope_id=0,
        grain="day",
        period_start=today,
        value=999,
        observation_count=9,
        observation_sum=999,
        last_observed_at=timezone.now(),
        computed_at=timezone.now(),
    )
    client.force_login(cast.peer_user)
    response = client.get(page_url(product))
    shown = {
        m.key: (m.latest_value, m.latest_period, m.latest_count)
        for m in response.context["metrics"]
    }
    assert shown["signups"] == (Decimal("52"), today - dt.timedelta(days=1), 5)
    assert shown["weekly_active_users"] == (Decimal("1301"), today, 1)
    body = response.content.decode()
    assert "1,301 users" in body and "999" not in body
    assert 'aria-label="Weekly active users per day from 1,234 users on' in body  # trend line
    # Growth expects weekly_active_users, revenue and retention_d30: the two not defined
    # as metrics are named so HR can define them.
    assert response.context["missing_metric_keys"] == ["retention_d30", "revenue"]
    expected = {m.key for m in response.context["metrics"] if m.is_expected}
    assert expected == {"weekly_active_users"}


def test_an_expected_metric_without_readings_says_so(client, cast, product, metrics):
    client.force_login(cast.peer_user)
    response = client.get(page_url(product))
    assert [m.key for m in response.context["metrics"]] == ["weekly_active_users"]
    assert "No readings yet" in response.content.decode()


@pytest.mark.parametrize("days", [2, 200])
def test_the_metrics_section_costs_one_query_whatever_the_roll_ups(
    client, cast, product, metrics, days, django_assert_num_queries
):
    signups, wau = metrics
    today = timezone.localdate()
    for n in range(days):
        for metric in (signups, wau):
            rollup(metric, product, today - dt.timedelta(days=n), n)
    client.force_login(cast.peer_user)
    from tests.pages_roadmaps.test_query_counts import BELL, REQUEST_END, REQUEST_START, VIEWER

    with django_assert_num_queries(
        REQUEST_START
        + 1  # the product with unit, team and owner
        + VIEWER
        + 1  # roadmap items with owner and period (none: nothing to prefetch)
        + 2  # the product's vision; what its stage asks of it
        + 1  # its stage history
        + 1  # its goals the viewer may see
        + 1  # its metrics, each with its latest daily roll-up (subqueries)
        + 1  # their daily roll-ups of the last 30 days (the trend lines)
        + BELL
        + REQUEST_END
    ):
        response = client.get(page_url(product))
    assert len(response.context["metrics"]) == 2
