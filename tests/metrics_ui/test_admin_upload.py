"""HR admins upload readings as CSV in the admin: all or nothing, every bad row listed,
a repeated file counted as unchanged; nobody else gets in."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from roadmaps.models import MetricObservation, MetricRollup, PendingRollup

from .conftest import BAD_ROWS, GOOD_ROWS, csv_file

UPLOAD = "admin:roadmaps_metricobservation_upload"


@pytest.fixture
def hr_client(client, cast):
    client.force_login(cast.hr_user)
    return client


def test_the_readings_list_offers_the_upload(hr_client, product, metrics):
    response = hr_client.get(reverse("admin:roadmaps_metricobservation_changelist"))
    assert response.status_code == 200
    assert reverse(UPLOAD).encode() in response.content
    page = hr_client.get(reverse(UPLOAD))
    assert page.status_code == 200
    assert b"metric,product,timestamp,value,source" in page.content


def test_a_good_file_is_saved_and_counted(hr_client, product, metrics):
    response = hr_client.post(reverse(UPLOAD), {"file": csv_file(*GOOD_ROWS), "source": "sheet"})

    assert response.status_code == 302
    assert response.url == reverse("admin:roadmaps_metricobservation_changelist")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "3 readings uploaded: 3 new, 0 updated, 0 unchanged."
    ]
    rows = MetricObservation.objects.order_by("timestamp", "metric__key")
    assert [(o.metric.key, o.value, o.source) for o in rows] == [
        ("signups", 12, "warehouse"),
        ("weekly_active_users", 1200, "sheet"),  # the form's source fills an empty cell
        ("signups", 15, "warehouse"),
    ]
    assert PendingRollup.objects.count() == 3  # (metric, day) pairs for the roll-up job


def test_the_same_file_again_changes_nothing_and_a_new_value_updates(hr_client, product, metrics):
    hr_client.post(reverse(UPLOAD), {"file": csv_file(*GOOD_ROWS)})
    again = hr_client.post(reverse(UPLOAD), {"file": csv_file(*GOOD_ROWS)})
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == (
        "3 readings uploaded: 0 new, 0 updated, 3 unchanged."
    )
    changed = hr_client.post(
        reverse(UPLOAD), {"file": csv_file("signups,checkout,2026-05-04T09:00:00Z,13,warehouse")}
    )
    assert [str(m) for m in get_messages(changed.wsgi_request)][-1] == (
        "1 reading uploaded: 0 new, 1 updated, 0 unchanged."
    )
    assert MetricObservation.objects.count() == 3


def test_bad_rows_are_listed_and_nothing_is_written(hr_client, product, metrics):
    response = hr_client.post(reverse(UPLOAD), {"file": csv_file(*BAD_ROWS)})

    assert response.status_code == 400
    form = response.context["form"]
    assert "2 rows of the file have errors: nothing was saved" in form.errors["file"][0]
    lines = [(line["row"], line["field"]) for line in response.context["row_errors"]]
    assert lines == [(2, "metric"), (3, "timestamp"), (3, "value")]
    assert b"nosuchmetric" in response.content
    assert MetricObservation.objects.count() == 0
    assert PendingRollup.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"when,what\n1,2\n", "missing: metric, product, timestamp, value"),
        (b"metric,product,timestamp,value\n", "no readings"),
        (
            "metric,product,timestamp,value\nsignups,checkout,2026-05-04,\xe9\n".encode("latin-1"),
            "UTF-8",
        ),
    ],
    ids=["bad-header", "no-rows", "not-utf8"],
)
def test_an_unreadable_file_is_a_file_error(hr_client, product, metrics, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = hr_client.post(reverse(UPLOAD), {"file": SimpleUploadedFile("x.csv", content)})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert MetricObservation.objects.count() == 0


def test_only_hr_admins_reach_the_upload(client, cast, product, metrics):
    for user in (cast.top.user, cast.report_user, cast.outsider_user):
        client.force_login(user)
        get = client.get(reverse(UPLOAD))
        post = client.post(reverse(UPLOAD), {"file": csv_file(*GOOD_ROWS)})
        # The admin site sends anyone who is not an HR admin to its sign-in page.
        assert get.status_code == post.status_code == 302
        assert "/admin/login/" in get.url
    assert MetricObservation.objects.count() == 0


def test_metrics_are_listed_searched_and_kept_in_history(hr_client, cast, metrics):
    signups, _ = metrics
    listing = hr_client.get(reverse("admin:roadmaps_metric_changelist"), {"q": "sign"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [signups]
    form = {
        "key": "signups",
        "name": "Sign-ups (new accounts)",
        "unit": "users",
        "aggregation": "sum",
        "direction": "higher",
        "description": "",
    }
    response = hr_client.post(reverse("admin:roadmaps_metric_change", args=[signups.pk]), form)
    assert response.status_code == 302
    signups.refresh_from_db()
    assert signups.name == "Sign-ups (new accounts)"
    assert signups.history.first().history_user == cast.hr_user
    history = hr_client.get(reverse("admin:roadmaps_metric_history", args=[signups.pk]))
    assert history.status_code == 200


def test_readings_and_roll_ups_are_read_only(hr_client, product, metrics):
    hr_client.post(reverse(UPLOAD), {"file": csv_file(*GOOD_ROWS)})
    reading = MetricObservation.objects.first()
    assert hr_client.get(reverse("admin:roadmaps_metricobservation_add")).status_code == 403
    page = hr_client.get(reverse("admin:roadmaps_metricobservation_change", args=[reading.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    filtered = hr_client.get(
        reverse("admin:roadmaps_metricobservation_changelist"),
        {"metric__id__exact": reading.metric_id, "source": "warehouse"},
    )
    assert filtered.status_code == 200
    by_product = hr_client.get(
        reverse("admin:roadmaps_metricobservation_changelist"),
        {"product__id__exact": product.pk},
    )
    assert by_product.context["cl"].result_count == 3
    assert f'?product__id__exact={product.pk}"'.encode() in by_product.content  # click to filter
    for term, count in (("checkout", 3), ("weekly_active", 1), ("warehouse", 2), ("nothing", 0)):
        found = hr_client.get(reverse("admin:roadmaps_metricobservation_changelist"), {"q": term})
        assert found.context["cl"].result_count == count, term
    assert hr_client.get(reverse("admin:roadmaps_metricrollup_changelist")).status_code == 200
    assert hr_client.get(reverse("admin:roadmaps_metricrollup_add")).status_code == 403
    assert MetricRollup.objects.count() == 0
