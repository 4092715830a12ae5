"""The check-in chart is an accessible image drawn on the server, its text escaped."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

from django.utils import timezone

from roadmaps.charts import check_in_chart, format_number, format_value

START = dt.date(2026, 10, 1)
END = dt.date(2026, 12, 31)


def at(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 10, day, 12))


def chart(**kwargs) -> str:
    fields = {
        "title": "Merchants live",
        "start_value": D(0),
        "target_value": D(40),
        "unit": "merchants",
        "readings": [(at(20), D(14)), (at(6), D(8))],
        "period_start": START,
        "period_end": END,
        "started_at": at(2),
        "now": at(25),
    }
    return str(check_in_chart(**{**fields, **kwargs}))


def test_numbers_read_as_people_write_them():
    assert format_number(D("12000.5000")) == "12,000.5"
    assert format_number(D("40.0000")) == "40"
    assert format_number(None) == "—"
    assert format_value(D("55.0000"), "%") == "55%"
    assert format_value(D("3.5"), "€") == "€3.5"
    assert format_value(D("1200"), "customers") == "1,200 customers"


def test_the_chart_is_an_image_with_a_summary():
    svg = chart()
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    label = re.search(r'aria-label="([^"]*)"', svg).group(1)
    assert label == (
        "Check-ins of Merchants live: 2 readings, latest 14 merchants; "
        "started at 0 merchants, target 40 merchants."
    )
    # The start point, then the readings in time order; the last one stands out.
    assert svg.count('class="chart__dot"') == 2 and svg.count("chart__dot--last") == 1
    assert "<title>20 Oct: 14 merchants</title>" in svg
    assert 'class="chart__today"' in svg  # today falls inside the period
    assert ">1 Oct</text>" in svg and ">31 Dec</text>" in svg


def test_higher_values_are_drawn_higher_and_lower_is_better_flips_the_target():
    def ys(svg):
        line = re.search(r'class="chart__line" points="([^"]+)"', svg).group(1)
        return [float(p.split(",")[1]) for p in line.split()]

    rising = ys(chart())
    assert rising[0] > rising[1] > rising[2]  # SVG y grows downwards
    svg = chart(start_value=D(900), target_value=D(400), unit="ms", readings=[(at(9), D(700))])
    target_y = float(re.search(r'class="chart__target"[^>]*y1="([\d.]+)"', svg).group(1))
    start_y = float(re.search(r'class="chart__start"[^>]*y1="([\d.]+)"', svg).group(1))
    assert target_y > start_y


def test_no_check_ins_yet():
    svg = chart(readings=[], started_at=None)
    assert "No check-ins of Merchants live yet" in svg
    assert "chart__line" not in svg


def test_text_is_escaped():
    svg = chart(title='<script>alert("x")</script>', unit="<b>")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
