"""The metrics API × the cast: anonymous 401, every member reads, writes by HR admins and
the owner chains only (a refused write is 403 and changes nothing)."""

from __future__ import annotations

import pytest

from roadmaps.models import Metric, MetricObservation

from .conftest import MONDAY, assert_error, reading


def login(cast, who: str):
    return getattr(cast, who) if who.endswith("_user") else getattr(cast, who).user


LISTS = ["metrics", "metric-observations", "metric-rollups"]


@pytest.mark.parametrize("path", LISTS)
def test_anonymous_gets_401_in_the_error_format(client_for, metrics, path):
    assert_error(client_for().get(f"/api/v1/{path}/"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/metrics/"),
        ("patch", "/api/v1/metrics/{signups}/"),
        ("delete", "/api/v1/metrics/{signups}/"),
        ("post", "/api/v1/metric-observations/"),
        ("post", "/api/v1/metric-observations/bulk/"),
    ],
)
def test_anonymous_writes_get_401(client_for, metrics, method, url):
    response = getattr(client_for(), method)(url.format(signups=metrics.signups.pk), {})
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize("who", ["peer", "subreport", "outsider_user", "hr_user"])
def test_every_member_reads_metrics_readings_and_rollups(client_for, cast, metrics, who):
    observation = reading(metrics.signups, metrics.checkout)
    client = client_for(login(cast, who))
    listed = client.get("/api/v1/metrics/").json()
    assert [m["key"] for m in listed["results"]] == ["nps", "signups", "uptime"]
    assert client.get(f"/api/v1/metrics/{metrics.signups.pk}/").status_code == 200
    assert client.get("/api/v1/metric-observations/").json()["count"] == 1
    assert client.get(f"/api/v1/metric-observations/{observation.pk}/").status_code == 200
    assert client.get("/api/v1/metric-rollups/").status_code == 200


@pytest.mark.parametrize(
    ("who", "can_edit"),
    [
        ("hr_user", {"signups": True, "nps": True, "uptime": True}),
        # Owner of Checkout (signups' product) and manager of Sam (its owner).
        ("report", {"signups": True, "nps": False, "uptime": False}),
        ("leader", {"signups": True, "nps": False, "uptime": False}),
        ("subreport", {"signups": True, "nps": False, "uptime": False}),
        # Owns nps, and Ledger (uptime's product).
        ("peer", {"signups": False, "nps": True, "uptime": True}),
        ("outsider_user", {"signups": False, "nps": False, "uptime": False}),
    ],
)
def test_can_edit_says_who_may_change_each_metric(client_for, cast, metrics, who, can_edit):
    listed = client_for(login(cast, who)).get("/api/v1/metrics/").json()["results"]
    assert {m["key"]: m["can_edit"] for m in listed} == can_edit


# --- metric definitions --------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr_user", "report", "leader", "top", "subreport"])
def test_the_owner_chain_product_chain_and_hr_change_a_metric(client_for, cast, metrics, who):
    client = client_for(login(cast, who))
    url = f"/api/v1/metrics/{metrics.signups.pk}/"
    response = client.patch(url, {"description": "New accounts a day."})
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "New accounts a day."
    history = metrics.signups.history.first()
    assert history.history_user == login(cast, who)


@pytest.mark.parametrize("who", ["peer", "outsider_user"])
def test_others_get_403_and_change_nothing(client_for, cast, metrics, who):
    client = client_for(login(cast, who))
    url = f"/api/v1/metrics/{metrics.signups.pk}/"
    assert_error(client.patch(url, {"name": "Hijacked"}), 403, "permission_denied")
    assert_error(client.delete(url), 403, "permission_denied")
    metrics.signups.refresh_from_db()
    assert metrics.signups.name == "Sign-ups"


def test_a_metric_owner_in_another_branch_changes_their_metric(client_for, cast, metrics):
    client = client_for(cast.peer_user)
    assert client.patch(f"/api/v1/metrics/{metrics.nps.pk}/", {"unit": "points"}).status_code == 200
    assert_error(client_for(cast.report_user).patch(f"/api/v1/metrics/{metrics.nps.pk}/", {}), 403)


def test_hr_and_the_owner_chain_delete_a_metric(client_for, cast, metrics):
    assert (
        client_for(cast.leader_user).delete(f"/api/v1/metrics/{metrics.signups.pk}/").status_code
        == 204
    )
    assert client_for(cast.hr_user).delete(f"/api/v1/metrics/{metrics.nps.pk}/").status_code == 204
    assert set(Metric.objects.values_list("key", flat=True)) == {"uptime"}


def test_a_member_defines_their_own_metric_and_hr_defines_any(client_for, cast, metrics):
    mine = client_for(cast.subreport.user).post(
        "/api/v1/metrics/", {"key": "activation", "name": "Activation"}
    )
    assert mine.status_code == 201, mine.content
    assert mine.json()["owner"] == cast.subreport.pk and mine.json()["can_edit"] is True
    anyone = client_for(cast.hr_user).post(
        "/api/v1/metrics/", {"key": "churn", "name": "Churn", "owner": cast.peer.pk}
    )
    assert anyone.status_code == 201, anyone.content


def test_a_product_metric_is_defined_by_the_products_owner_chain(client_for, cast, metrics):
    body = {"key": "basket", "name": "Basket size", "product": metrics.checkout.pk}
    # Omar would own it, but Checkout is not his to measure.
    assert_error(client_for(cast.peer_user).post("/api/v1/metrics/", body), 403)
    # Dana (Priya's manager) may, and may give it to an analyst elsewhere (Omar).
    response = client_for(cast.leader_user).post(
        "/api/v1/metrics/", {**body, "owner": cast.peer.pk}
    )
    assert response.status_code == 201, response.content
    assert not Metric.objects.filter(key="basket", owner=cast.leader).exists()


def test_a_member_cannot_give_a_metric_away_or_define_one_for_a_peer(client_for, cast, metrics):
    priya = client_for(cast.report_user)
    assert_error(
        priya.post("/api/v1/metrics/", {"key": "x", "name": "X", "owner": cast.peer.pk}), 403
    )
    # Sam's metric handed to Omar, away from Checkout: Priya would lose it.
    response = priya.patch(
        f"/api/v1/metrics/{metrics.signups.pk}/", {"owner": cast.peer.pk, "product": None}
    )
    assert_error(response, 403)
    # Moved onto a product that is not hers.
    response = priya.patch(f"/api/v1/metrics/{metrics.signups.pk}/", {"product": metrics.ledger.pk})
    assert_error(response, 403)
    metrics.signups.refresh_from_db()
    assert (metrics.signups.owner, metrics.signups.product) == (cast.subreport, metrics.checkout)


def test_rollups_are_never_written_through_the_api(client_for, cast, metrics):
    response = client_for(cast.hr_user).post("/api/v1/metric-rollups/", {})
    assert_error(response, 405)


# --- readings -------------------------------------------------------------------------


def one(metric="signups", product="checkout", value="12"):
    return {"metric": metric, "product": product, "timestamp": MONDAY.isoformat(), "value": value}


@pytest.mark.parametrize("who", ["hr_user", "report", "leader", "subreport"])
def test_hr_and_the_product_or_metric_owner_chain_report_a_reading(client_for, cast, metrics, who):
    response = client_for(login(cast, who)).post("/api/v1/metric-observations/", one())
    assert response.status_code == 201, response.content
    assert MetricObservation.objects.get().value == 12


def test_a_metric_owner_reports_it_for_any_product(client_for, cast, metrics):
    response = client_for(cast.peer_user).post(
        "/api/v1/metric-observations/", one(metric="nps", product="checkout")
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("who", ["peer", "outsider_user"])
def test_others_get_403_for_a_reading_and_nothing_is_written(client_for, cast, metrics, who):
    response = client_for(login(cast, who)).post("/api/v1/metric-observations/", one())
    assert_error(response, 403, "permission_denied")
    assert not MetricObservation.objects.exists()


def test_in_a_bulk_upload_each_row_is_decided_on_its_own(client_for, cast, metrics):
    body = {
        "observations": [
            one(metric="nps", product="checkout"),  # Omar owns nps
            one(metric="uptime", product="ledger"),  # Omar owns Ledger
            one(metric="signups", product="checkout"),  # neither
        ]
    }
    error = assert_error(
        client_for(cast.peer_user).post("/api/v1/metric-observations/bulk/", body), 400
    )
    assert error["fields"]["rows"] == [
        {"row": 3, "errors": {"product": ["You may not report metrics for this product."]}}
    ]
    assert not MetricObservation.objects.exists()
    body["observations"].pop()
    response = client_for(cast.peer_user).post("/api/v1/metric-observations/bulk/", body)
    assert response.status_code == 201, response.content
    assert MetricObservation.objects.count() == 2
