"""A small organisation with hand-checkable metric readings.

Units: Company ⊃ Payments ⊃ Cards, and Company ⊃ Growth. Product ``cards`` (team
Checkout, unit Cards), ``wallet`` (no team, unit Payments), ``ads`` (team Acquisition,
unit Growth). Five metrics with the same readings, one per aggregation rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from roadmaps.models import Metric, Product
from roadmaps.observations import observations_ingest
from roles.models import BusinessUnit, Team


@dataclass
class MetricWorld:
    company: BusinessUnit
    payments: BusinessUnit
    cards_unit: BusinessUnit
    growth: BusinessUnit
    checkout: Team
    acquisition: Team
    cards: Product
    wallet: Product
    ads: Product
    metrics: dict[str, Metric]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# (product, timestamp, value): the same readings for every metric.
READINGS = [
    ("cards", "2026-09-30T23:30:00", 7),  # the last half hour of Q3 (a Wednesday)
    ("cards", "2026-11-02T09:00:00", 10),  # Monday
    ("cards", "2026-11-02T18:00:00", 20),
    ("cards", "2026-11-03T10:00:00", 30),  # Tuesday, same week
    ("wallet", "2026-11-02T12:00:00", 5),
    ("ads", "2026-11-04T08:00:00", 100),
    ("cards", "2026-12-31T12:00:00", 1),  # Thursday: same week as New Year's Day,
    ("cards", "2027-01-01T12:00:00", 2),  # another month and another quarter
]


def build_world() -> MetricWorld:
    company = BusinessUnit.objects.create(name="Whole company", slug="w-company")
    payments = BusinessUnit.objects.create(
        name="Payments and wallets", slug="w-payments", parent=company
    )
    cards_unit = BusinessUnit.objects.create(name="Cards unit", slug="w-cards", parent=payments)
    growth = BusinessUnit.objects.create(name="Growth unit", slug="w-growth", parent=company)
    checkout = Team.objects.create(name="Checkout", business_unit=cards_unit)
    acquisition = Team.objects.create(name="Acquisition", business_unit=growth)
    cards = Product.objects.create(
        name="Cards", slug="cards", business_unit=cards_unit, team=checkout
    )
    wallet = Product.objects.create(name="Wallet", slug="wallet", business_unit=payments)
    ads = Product.objects.create(name="Ads", slug="ads", business_unit=growth, team=acquisition)
    metrics = {
        rule: Metric.objects.create(key=f"m-{rule}", name=f"Metric {rule}", aggregation=rule)
        for rule in ["sum", "average", "last", "min", "max"]
    }
    return MetricWorld(
        company, payments, cards_unit, growth, checkout, acquisition, cards, wallet, ads, metrics
    )


def readings_rows(metric_keys, readings=READINGS, source="warehouse"):
    return [
        {"metric": key, "product": product, "timestamp": ts + "Z", "value": value, "source": source}
        for key in metric_keys
        for product, ts, value in readings
    ]


@pytest.fixture
def world(db) -> MetricWorld:
    return build_world()


@pytest.fixture
def loaded(world) -> MetricWorld:
    observations_ingest(rows=readings_rows([m.key for m in world.metrics.values()]))
    return world
