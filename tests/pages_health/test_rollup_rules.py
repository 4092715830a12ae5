"""The subtree's series combine product roll-ups by each metric's rule, in SQL."""

from __future__ import annotations

from decimal import Decimal

from health.dashboard import leader_dashboard
from roadmaps.models import Goal, KeyResult, MetricRollup, Product, RollupScope


def _metric(dashboard, key):
    return next(m for m in dashboard.key_metrics if m.key == key)


def _values(metric):
    return [p.value for p in metric.series if p.value is not None]


def test_each_rule_on_hand_computed_rows(cast, period, portfolio):
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    # Sum: Checkout 100 + Wallet 50 in week 1, 107 + 50 in week 2; Ledger is not theirs.
    assert _values(_metric(dashboard, "revenue")) == [Decimal("150"), Decimal("157")]
    # Average weighted by readings: (3 × 100 + 1 × 200) / 4.
    assert _values(_metric(dashboard, "latency")) == [Decimal("125"), Decimal("125")]
    # Last: the row with the latest reading (Wallet's), never summed; Ledger's later
    # reading is outside the subtree.
    assert _values(_metric(dashboard, "users")) == [Decimal("7"), Decimal("7")]
    assert _values(_metric(dashboard, "low")) == [Decimal("4"), Decimal("4")]
    assert _values(_metric(dashboard, "peak")) == [Decimal("9"), Decimal("9")]
    series = _metric(dashboard, "revenue").series
    assert series[0].period_start == portfolio.week1
    assert series[0].observations == 3
    # Every week of the quarter has a point; weeks without rows have no value.
    assert len(series) == 13


def test_the_cpo_sees_the_peer_products_too(cast, period, portfolio):
    dashboard = leader_dashboard(viewer_user=cast.top.user, leader=cast.top, period=period)
    assert _values(_metric(dashboard, "revenue")) == [Decimal("1150"), Decimal("1157")]
    assert _values(_metric(dashboard, "users")) == [Decimal("99"), Decimal("99")]


def test_a_subtree_with_every_product_reads_the_company_rows(cast, period, portfolio):
    company = MetricRollup.objects.filter(scope=RollupScope.COMPANY)
    company.filter(metric=portfolio.revenue).update(value=Decimal("5000"))
    company.filter(metric=portfolio.latency).update(
        observation_sum=Decimal("600"), observation_count=4
    )
    dashboard = leader_dashboard(viewer_user=cast.top.user, leader=cast.top, period=period)
    # The CPO's subtree owns all three products: one company row per metric and week.
    assert _values(_metric(dashboard, "revenue")) == [Decimal("5000"), Decimal("5000")]
    # An average is the company row's sum of readings over their count: 600 / 4.
    assert _values(_metric(dashboard, "latency")) == [Decimal("150"), Decimal("150")]
    assert _metric(dashboard, "users").series[0].observations == 3
    # The breakdown still ranks the products from their own rows.
    assert [p.value for p in _metric(dashboard, "revenue").breakdown] == [
        Decimal("2000"),
        Decimal("207"),
        Decimal("100"),
    ]
    # The leader's subtree holds two of the three products: their own rows.
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    assert _values(_metric(dashboard, "revenue")) == [Decimal("150"), Decimal("157")]


def test_a_product_outside_the_subtree_turns_the_company_rows_off(cast, period, portfolio):
    Product.objects.create(
        name="Orphan", slug="orphan", business_unit=portfolio.checkout.business_unit, owner=None
    )
    MetricRollup.objects.filter(scope=RollupScope.COMPANY).update(value=Decimal("5000"))
    dashboard = leader_dashboard(viewer_user=cast.top.user, leader=cast.top, period=period)
    # Not every product is the CPO's: their three products' rows, combined.
    assert _values(_metric(dashboard, "revenue")) == [Decimal("1150"), Decimal("1157")]
    assert _values(_metric(dashboard, "users")) == [Decimal("99"), Decimal("99")]


def test_last_reading_ties_go_to_the_later_product_as_in_the_roll_up(cast, period, portfolio):
    same_time = MetricRollup.objects.filter(
        metric=portfolio.users, scope=RollupScope.PRODUCT, scope_id=portfolio.checkout.pk
    ).values_list("last_observed_at", flat=True)
    MetricRollup.objects.filter(
        metric=portfolio.users, scope=RollupScope.PRODUCT, scope_id=portfolio.wallet.pk
    ).update(value=Decimal("3"), last_observed_at=same_time[:1])
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    # Checkout (10) and Wallet (3) read at the same time: the higher product id wins,
    # as the company and team roll-ups decide, not the larger value.
    assert portfolio.wallet.pk > portfolio.checkout.pk
    assert _values(_metric(dashboard, "users"))[0] == Decimal("3")


def test_product_breakdown_ranks_by_direction_over_the_period(cast, period, portfolio):
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    revenue = _metric(dashboard, "revenue")
    # Checkout 100 + 107, Wallet 50 + 50: highest first.
    assert [(p.name, p.value) for p in revenue.breakdown] == [
        ("Checkout", Decimal("207")),
        ("Wallet", Decimal("100")),
    ]
    latency = _metric(dashboard, "latency")
    # Lower is better: Checkout (100) before Wallet (200).
    assert [(p.name, p.value) for p in latency.breakdown] == [
        ("Checkout", Decimal("100")),
        ("Wallet", Decimal("200")),
    ]
    users = _metric(dashboard, "users")
    # Each product's latest reading over the period.
    assert [(p.name, p.value) for p in users.breakdown] == [
        ("Checkout", Decimal("10")),
        ("Wallet", Decimal("7")),
    ]


def test_products_table_compares_with_a_target_or_the_week_before(cast, period, portfolio):
    goal = Goal.objects.create(
        title="Fast checkout",
        level=Goal.Level.PRODUCT,
        owner=cast.report,
        period=period,
        product=portfolio.checkout,
    )
    KeyResult.objects.create(
        goal=goal,
        title="Latency under 80 ms",
        metric=portfolio.latency,
        start_value=150,
        target_value=80,
        direction=KeyResult.Direction.DECREASE,
    )
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    table = dashboard.products
    assert [row.name for row in table.rows] == ["Checkout", "Wallet"]
    assert table.total == 2
    cells = {
        (row.name, metric.key): cell
        for row in table.rows
        for metric, cell in zip(table.metrics, row.metrics, strict=True)
    }
    latency = cells[("Checkout", "latency")]
    assert (latency.latest, latency.compare_to, latency.compare_kind) == (100, 80, "target")
    assert latency.good is False  # lower is better and 100 ms is above the 80 ms target
    wallet = cells[("Wallet", "latency")]
    assert (wallet.latest, wallet.compare_to, wallet.compare_kind) == (200, 200, "previous")


def test_products_table_sorts_and_filters(cast, period, portfolio):
    dashboard = leader_dashboard(
        viewer_user=cast.leader_user, leader=cast.leader, period=period, product_sort="-stage"
    )
    assert [row.name for row in dashboard.products.rows] == ["Checkout", "Wallet"]
    dashboard = leader_dashboard(
        viewer_user=cast.leader_user, leader=cast.leader, period=period, product_sort="stage"
    )
    assert [row.name for row in dashboard.products.rows] == ["Wallet", "Checkout"]
    dashboard = leader_dashboard(
        viewer_user=cast.leader_user, leader=cast.leader, period=period, product_stage="launch"
    )
    assert [row.name for row in dashboard.products.rows] == ["Wallet"]
    dashboard = leader_dashboard(
        viewer_user=cast.leader_user, leader=cast.leader, period=period, product_search="chec"
    )
    assert [row.name for row in dashboard.products.rows] == ["Checkout"]


def test_headline_counts_the_subtree(cast, period, portfolio, goals):
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    headline = dashboard.headline
    assert (headline.people, headline.product_roles) == (3, 3)
    assert headline.products == 2
    assert {s.stage: s.count for s in headline.products_by_stage if s.count} == {
        "growth": 1,
        "launch": 1,
    }
    # The leader sees their report's private goal; the peer's is not theirs.
    assert (headline.goals, headline.goals_on_track, headline.goals_at_risk) == (3, 2, 1)


def test_a_private_target_from_outside_the_subtree_is_not_shown(cast, period, portfolio):
    goal = Goal.objects.create(
        title="Peer's private latency goal",
        level=Goal.Level.PRODUCT,
        owner=cast.peer,
        period=period,
        product=portfolio.checkout,
        visibility=Goal.Visibility.PRIVATE,
    )
    KeyResult.objects.create(
        goal=goal, title="Latency under 50 ms", metric=portfolio.latency, target_value=50
    )
    dashboard = leader_dashboard(viewer_user=cast.leader_user, leader=cast.leader, period=period)
    table = dashboard.products
    cells = {
        (row.name, metric.key): cell
        for row in table.rows
        for metric, cell in zip(table.metrics, row.metrics, strict=True)
    }
    # The leader is not in the peer's chain: the target stays hidden.
    assert cells[("Checkout", "latency")].compare_kind == "previous"
    top = leader_dashboard(viewer_user=cast.top.user, leader=cast.top, period=period)
    cells = {
        (row.name, metric.key): cell
        for row in top.products.rows
        for metric, cell in zip(top.products.metrics, row.metrics, strict=True)
    }
    assert (
        cells[("Checkout", "latency")].compare_kind,
        cells[("Checkout", "latency")].compare_to,
    ) == (
        "target",
        50,
    )
