"""A small organisation with products, metrics and hand-made roll-up rows.

``cast``: ``top`` (CPO) → ``leader`` → ``report`` → ``subreport``; ``peer`` under ``top``.
``report`` owns Checkout and Wallet, ``peer`` owns Ledger (outside ``leader``'s subtree).
Roll-up rows are written directly, with values computed by hand, so the dashboard's
combination rules are checked on numbers anyone can redo on paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from roadmaps.models import (
    Goal,
    Metric,
    MetricRollup,
    Period,
    Product,
    RollupGrain,
    RollupScope,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def period(db) -> Period:
    """A quarter that contains today; its weeks start on the Monday before its start."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=6)
    return Period.objects.create(
        name="This quarter",
        kind=Period.Kind.QUARTER,
        start=start,
        end=start + dt.timedelta(weeks=13) - dt.timedelta(days=1),
    )


@dataclass
class Portfolio:
    checkout: Product
    wallet: Product
    ledger: Product
    revenue: Metric  # sum
    latency: Metric  # average, lower is better
    users: Metric  # last
    low: Metric  # min
    peak: Metric  # max
    week1: dt.date
    week2: dt.date


def rollup(metric, product, week, value, count, observed_at, total=None):
    """A product-scope weekly roll-up row; ``total`` is the sum of its readings.
    With ``product=None``, the company-scope row (every product combined)."""
    return MetricRollup(
        metric=metric,
        scope=RollupScope.PRODUCT if product is not None else RollupScope.COMPANY,
        scope_id=product.pk if product is not None else 0,
        grain=RollupGrain.WEEK,
        period_start=week,
        value=Decimal(value),
        observation_count=count,
        observation_sum=Decimal(total if total is not None else Decimal(value) * count),
        last_observed_at=observed_at,
        computed_at=timezone.now(),
    )


@pytest.fixture
def portfolio(cast, period) -> Portfolio:
    unit = cast.report.business_unit
    checkout = Product.objects.create(
        name="Checkout", slug="checkout", business_unit=unit, owner=cast.report, stage="growth"
    )
    wallet = Product.objects.create(
        name="Wallet", slug="wallet", business_unit=unit, owner=cast.subreport, stage="launch"
    )
    ledger = Product.objects.create(
        name="Ledger", slug="ledger", business_unit=unit, owner=cast.peer, stage="maturity"
    )
    metric = {
        key: Metric.objects.create(
            key=key, name=name, aggregation=agg, direction=direction, unit=unit_
        )
        for key, name, agg, direction, unit_ in [
            ("revenue", "Revenue", "sum", "higher", "€"),
            ("latency", "Latency", "average", "lower", "ms"),
            ("users", "Active users", "last", "higher", "users"),
            ("low", "Lowest stock", "min", "higher", ""),
            ("peak", "Peak load", "max", "lower", ""),
        ]
    }
    week1 = period.start - dt.timedelta(days=period.start.weekday())
    week2 = week1 + dt.timedelta(weeks=1)
    noon = timezone.make_aware(dt.datetime.combine(week1, dt.time(12)))
    rows = []
    for week, shift in ((week1, 0), (week2, 7)):
        t = noon + dt.timedelta(days=shift)
        rows += [
            # revenue: 100 + 50 (+ Ledger's 1000, outside the subtree)
            rollup(metric["revenue"], checkout, week, 100 + shift, 2, t),
            rollup(metric["revenue"], wallet, week, 50, 1, t),
            rollup(metric["revenue"], ledger, week, 1000, 1, t),
            # latency: Checkout averages 100 over 3 readings, Wallet 200 over 1:
            # (300 + 200) / 4 = 125, not (100 + 200) / 2 = 150.
            rollup(metric["latency"], checkout, week, 100, 3, t),
            rollup(metric["latency"], wallet, week, 200, 1, t),
            # users: Wallet's reading is the later one → 7, never 10 + 7.
            rollup(metric["users"], checkout, week, 10, 1, t),
            rollup(metric["users"], wallet, week, 7, 1, t + dt.timedelta(hours=3)),
            rollup(metric["users"], ledger, week, 99, 1, t + dt.timedelta(hours=9)),
            rollup(metric["low"], checkout, week, 4, 2, t),
            rollup(metric["low"], wallet, week, 9, 2, t),
            rollup(metric["peak"], checkout, week, 4, 2, t),
            rollup(metric["peak"], wallet, week, 9, 2, t),
            # The company rows combine all three products by the same rules.
            rollup(metric["revenue"], None, week, 1150 + shift, 4, t),
            rollup(metric["latency"], None, week, 125, 4, t, total=500),
            rollup(metric["users"], None, week, 99, 3, t + dt.timedelta(hours=9)),
            rollup(metric["low"], None, week, 4, 4, t),
            rollup(metric["peak"], None, week, 9, 4, t),
        ]
    MetricRollup.objects.bulk_create(rows)
    return Portfolio(
        checkout,
        wallet,
        ledger,
        metric["revenue"],
        metric["latency"],
        metric["users"],
        metric["low"],
        metric["peak"],
        week1,
        week2,
    )


@pytest.fixture
def goals(cast, period, portfolio):
    """Goals of the subtree: two public (on track, at risk), one private of ``report``
    and a private one of ``peer`` (outside the subtree and everybody's chain but top's)."""

    def goal(title, owner, **fields):
        return Goal.objects.create(
            title=title, level=Goal.Level.TEAM, owner=owner, period=period, **fields
        )

    return {
        "public": goal(
            "Grow checkout", cast.report, progress=40, business_unit=cast.report.business_unit
        ),
        "risky": goal("Launch wallet", cast.subreport, status=Goal.Status.AT_RISK, progress=20),
        "private": goal(
            "Secret pricing test", cast.report, visibility=Goal.Visibility.PRIVATE, progress=90
        ),
        "peer_private": goal(
            "Peer's hidden plan", cast.peer, visibility=Goal.Visibility.PRIVATE, progress=10
        ),
    }
