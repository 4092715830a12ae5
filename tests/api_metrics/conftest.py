"""Fixtures of the metrics API tests.

The cast (tests/conftest.py) meets three products and three metrics:

- Checkout, owned by Priya (``report``, under Dana, under Carla), and Wallet, owned by
  Sam (``subreport``, under Priya); Ledger, owned by Omar (``peer``, another branch);
- ``signups`` measures Checkout and is owned by Sam; ``nps`` measures nothing and is
  owned by Omar; ``uptime`` measures Ledger and has no owner.

So Sam, Priya, Dana, Carla and HR may change ``signups`` and report it for Checkout;
Omar may not, but may report ``nps`` for any product (he owns the metric).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from roadmaps.metric_services import metric_create
from roadmaps.models import Metric, MetricObservation, Product
from roadmaps.services import product_create
from tests.api.conftest import assert_error, client_for, fast_password_hashing

__all__ = ["assert_error", "client_for", "fast_password_hashing"]

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)


@dataclass
class Metrics:
    checkout: Product
    wallet: Product
    ledger: Product
    signups: Metric
    nps: Metric
    uptime: Metric


@pytest.fixture
def metrics(cast) -> Metrics:
    unit, team = cast.report.business_unit, cast.report.team

    def product(name, owner):
        return product_create(
            name=name, slug=name.lower(), business_unit=unit, team=team, owner=owner
        )

    checkout, wallet, ledger = (
        product("Checkout", cast.report),
        product("Wallet", cast.subreport),
        product("Ledger", cast.peer),
    )
    signups = metric_create(
        key="signups", name="Sign-ups", unit="accounts", owner=cast.subreport, product=checkout
    )
    nps = metric_create(
        key="nps", name="Net promoter score", aggregation="average", owner=cast.peer
    )
    uptime = metric_create(key="uptime", name="Uptime", unit="%", aggregation="min", product=ledger)
    return Metrics(checkout, wallet, ledger, signups, nps, uptime)


def reading(metric, product, *, days=0, value="1", source="") -> MetricObservation:
    return MetricObservation.objects.create(
        metric=metric,
        product=product,
        timestamp=MONDAY + timedelta(days=days),
        value=Decimal(value),
        source=source,
    )


def rows(n: int, *, metric="signups", product="checkout", value=1, start=MONDAY) -> list[dict]:
    """``n`` readings an hour apart."""
    return [
        {
            "metric": metric,
            "product": product,
            "timestamp": (start + timedelta(hours=i)).isoformat(),
            "value": str(value + i),
        }
        for i in range(n)
    ]


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


__all__ += ["MONDAY", "Metrics", "reading", "results", "rows"]
