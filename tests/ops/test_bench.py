"""The benchmark's own code: its timing and tables, and that every baseline answers the
same question as the product code it is measured against (on tiny data; the benchmark
itself runs with ``make bench`` on the large demo, never here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from bench import baselines
from bench.run import MEASURES, Machine, Result, alternate, markdown_table, parse_args, text_table
from roadmaps.models import Metric, MetricObservation, Product
from roles.selectors import person_subtree, person_subtree_id_list, person_subtree_ids

MACHINE = Machine(cpu="Test CPU", cores=2, ram_gib=4, postgres="15.0", python="3.11.0")


def test_ours_and_the_baseline_run_in_turn():
    calls = []
    alternate(lambda: calls.append("ours"), lambda: calls.append("base"), repeats=3, warmup=1)
    assert calls == ["ours", "base"] * 4


def test_a_ratio_passes_only_within_its_target():
    assert Result("m", 30.0, 10.0, 4.0).verdict == "pass"
    assert Result("m", 30.0, 10.0, 2.0).verdict == "FAIL"
    assert Result("m", None, None, 2.0, "skipped: no data").verdict == "skipped"
    assert Result("m", 30.0, 10.0, 2.0).ratio == pytest.approx(3.0)


def test_the_tables_name_every_measure_and_the_machine():
    results = [Result("API list", 20.0, 10.0, 2.0), Result("Roll-up", None, None, 1.5, "skipped")]
    markdown = markdown_table(results, MACHINE)
    assert "| measure | ours p50 | baseline p50 | ratio | target | result |" in markdown
    assert "| API list | 20.0 ms | 10.0 ms | 2.00× | ≤ 2× | pass |" in markdown
    assert "Test CPU, 2 cores, 4 GiB RAM; PostgreSQL 15.0" in markdown
    assert "Roll-up" in text_table(results, MACHINE)


def test_measures_can_be_chosen():
    args = parse_args(["--only", "api", "--only", "export", "--repeats", "3"])
    assert args.only == ["api", "export"] and args.repeats == 3
    assert set(MEASURES) == {"api", "subtree", "rollup", "dashboard", "export"}


# --- The baselines on PostgreSQL ---------------------------------------------------------


def test_the_closure_table_holds_the_same_subtrees(require_postgres, cast):
    pairs = baselines.closure_build()
    assert pairs >= 5 + 4  # everyone their own ancestor, plus one row per reporting line
    for root in (cast.top, cast.leader, cast.subreport):
        ours = list(person_subtree(root=root).values_list("id", flat=True))
        assert baselines.closure_subtree_people(root_id=root.pk) == ours  # by name, too
        ids = set(person_subtree_ids(root=root).values_list("person_id", flat=True))
        assert set(baselines.closure_subtree_ids(root_id=root.pk)) == ids == set(ours)
        assert sorted(person_subtree_id_list(root=root)) == sorted(ids)
    sizes = dict(baselines.closure_subtree_sizes())
    assert sizes[cast.top.pk] == 5 and sizes[cast.leader.pk] == 3


def test_the_raw_people_page_lists_the_api_page(require_postgres, cast, client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    client.force_login(cast.leader.user)
    api = client.get("/api/v1/people/?page_size=3").json()
    raw = client.get("/bench/people.json?page_size=3").json()
    assert raw["count"] == api["count"] == 5
    assert raw["results"] == [
        {**row, "created_at": raw_row["created_at"], "updated_at": raw_row["updated_at"]}
        for row, raw_row in zip(api["results"], raw["results"], strict=True)
    ]


def _product(cast, slug: str) -> Product:
    return Product.objects.create(
        name=slug.title(), slug=slug, business_unit=cast.leader.business_unit
    )


def test_the_flat_group_by_counts_metric_product_days(require_postgres, cast):
    metric = Metric.objects.create(key="signups", name="Sign-ups")
    product = _product(cast, "checkout")
    day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for hours, value in ((0, 5), (3, 7), (24, 1)):
        MetricObservation.objects.create(
            metric=metric, product=product, timestamp=day + dt.timedelta(hours=hours),
            value=Decimal(value), source="test",
        )  # fmt: skip
    assert baselines.flat_group_by() == 2  # two days of one metric and product


def test_synthetic_observations_come_and_go(require_postgres, cast):
    for key in ("a", "b", "c"):
        Metric.objects.create(key=key, name=key)
    for slug in ("one", "two", "three"):
        _product(cast, slug)
    inserted = baselines.synthetic_observations_insert(days=2)
    assert inserted == 3 * 2  # a third of 3 × 3 (product, metric) pairs, for 2 days
    assert MetricObservation.objects.filter(source=baselines.SYNTHETIC_SOURCE).count() == 6
    assert baselines.synthetic_observations_delete() == 6
    assert not MetricObservation.objects.exists()


def test_the_export_baseline_reads_the_period_goals(require_postgres, cast):
    from roadmaps.models import Goal, Period

    period = Period.objects.create(
        name="Q1", kind="quarter", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    for title in ("Grow", "Retain"):
        Goal.objects.create(title=title, level="company", owner=cast.top, period=period)
    rows = baselines.goals_export_rows(period_id=period.pk)
    assert [(row[1], row[4], row[5]) for row in rows] == [
        ("Grow", "Carla", "Q1"),
        ("Retain", "Carla", "Q1"),
    ]
    assert connection.vendor == "postgresql"
