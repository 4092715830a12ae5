"""Recurrence maths: the n-th due time of a review series, in the series' own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from productorg.errors import ApplicationError
from stakeholders.recurrence import occurrence_due, validate_recurrence

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def series(anchor: datetime, rule: str, tz: str, count: int) -> list[datetime | None]:
    """Occurrences 1..count as UTC instants (None once the rule has ended)."""
    dues = [
        occurrence_due(anchor=anchor, rule=rule, tz=tz, occurrence=n) for n in range(1, count + 1)
    ]
    return [d.astimezone(UTC) if d else None for d in dues]


def local(instants: list[datetime | None], zone: ZoneInfo) -> list[str | None]:
    """What a person in ``zone`` reads on their calendar for each instant."""
    return [i.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") if i else None for i in instants]


# --- month ends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "february"), [(2025, "Fri 2025-02-28 10:00"), (2024, "Thu 2024-02-29 10:00")]
)
def test_monthly_from_the_31st_takes_the_last_day_of_short_months_and_returns_to_the_31st(
    year, february
):
    anchor = datetime(year, 1, 31, 10, 0, tzinfo=BERLIN)
    dues = local(series(anchor, "monthly", "Europe/Berlin", 5), BERLIN)
    assert dues[1] == february
    assert [d[4:14] for d in dues] == [
        f"{year}-01-31",
        february[4:14],
        f"{year}-03-31",
        f"{year}-04-30",
        f"{year}-05-31",
    ]
    assert {d[-5:] for d in dues} == {"10:00"}  # across the March clock change too


def test_quarterly_from_the_30th_of_november_keeps_the_30th_where_it_exists():
    anchor = datetime(2024, 11, 30, 9, 0, tzinfo=UTC)
    dues = local(series(anchor, "quarterly", "UTC", 4), ZoneInfo("UTC"))
    assert [d[4:14] for d in dues] == ["2024-11-30", "2025-02-28", "2025-05-30", "2025-08-30"]


# --- daylight saving ----------------------------------------------------------------------


def test_weekly_at_nine_in_berlin_stays_at_nine_local_across_both_clock_changes():
    anchor = datetime(2025, 3, 17, 9, 0, tzinfo=BERLIN)  # CET, UTC+1
    dues = series(anchor, "weekly", "Europe/Berlin", 34)  # to November, past 26 October
    assert {d.astimezone(BERLIN).strftime("%a %H:%M") for d in dues} == {"Mon 09:00"}
    by_day = {d.astimezone(BERLIN).date().isoformat(): d.strftime("%H:%M") for d in dues}
    assert by_day["2025-03-24"] == "08:00"  # before the change (30 March): UTC+1
    assert by_day["2025-03-31"] == "07:00"  # summer time: UTC+2
    assert by_day["2025-10-20"] == "07:00"
    assert by_day["2025-10-27"] == "08:00"  # after the change (26 October): UTC+1 again


def test_a_time_in_the_spring_forward_gap_is_read_before_the_gap_and_comes_back_next_week():
    """02:30 does not exist in Berlin on 30 March 2025 (02:00 → 03:00): as RFC 5545 says,
    it is read with the offset before the gap, which is 03:30 summer time."""
    anchor = datetime(2025, 3, 23, 2, 30, tzinfo=BERLIN)
    dues = series(anchor, "weekly", "Europe/Berlin", 3)
    assert dues[1] == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert local(dues, BERLIN) == [
        "Sun 2025-03-23 02:30",
        "Sun 2025-03-30 03:30",
        "Sun 2025-04-06 02:30",
    ]


def test_an_ambiguous_autumn_time_is_its_first_pass():
    anchor = datetime(2025, 10, 19, 2, 30, tzinfo=BERLIN)  # 02:30 happens twice on 26 Oct
    dues = series(anchor, "weekly", "Europe/Berlin", 2)
    assert dues[1] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET


# --- time zones ---------------------------------------------------------------------------


def test_the_same_weekly_rule_in_new_york_and_tokyo_keeps_each_citys_local_time():
    """New York moves its clocks on 9 March 2025, Tokyo never does: the series anchored
    at the same instant drift apart by an hour in UTC, and each stays at its local time."""
    same_instant = datetime(2025, 2, 24, 14, 0, tzinfo=UTC)  # 09:00 NY, 23:00 Tokyo
    new_york = series(same_instant, "weekly", "America/New_York", 4)
    tokyo = series(same_instant, "weekly", "Asia/Tokyo", 4)
    assert local(new_york, NEW_YORK) == [
        "Mon 2025-02-24 09:00",
        "Mon 2025-03-03 09:00",
        "Mon 2025-03-10 09:00",
        "Mon 2025-03-17 09:00",
    ]
    assert [d.strftime("%H:%M") for d in new_york] == ["14:00", "14:00", "13:00", "13:00"]
    assert local(tokyo, TOKYO) == [
        "Mon 2025-02-24 23:00",
        "Mon 2025-03-03 23:00",
        "Mon 2025-03-10 23:00",
        "Mon 2025-03-17 23:00",
    ]
    assert {d.strftime("%H:%M") for d in tokyo} == {"14:00"}


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ApplicationError) as error:
        occurrence_due(
            anchor=datetime(2025, 1, 1, tzinfo=UTC), rule="weekly", tz="Mars/Olympus", occurrence=2
        )
    assert error.value.field_errors == {"time_zone": ["Unknown time zone “Mars/Olympus”."]}


# --- RRULE strings ------------------------------------------------------------------------


def test_byday_rule_walks_the_listed_days_at_the_anchor_time():
    anchor = datetime(2025, 3, 24, 9, 0, tzinfo=BERLIN)  # a Monday
    dues = local(series(anchor, "FREQ=WEEKLY;BYDAY=MO,TH", "Europe/Berlin", 5), BERLIN)
    assert dues == [
        "Mon 2025-03-24 09:00",
        "Thu 2025-03-27 09:00",
        "Mon 2025-03-31 09:00",  # summer time now, still 09:00
        "Thu 2025-04-03 09:00",
        "Mon 2025-04-07 09:00",
    ]


def test_first_monday_of_the_month():
    anchor = datetime(2025, 1, 6, 10, 0, tzinfo=BERLIN)
    dues = local(series(anchor, "RRULE:FREQ=MONTHLY;BYDAY=1MO", "Europe/Berlin", 4), BERLIN)
    assert dues == [
        "Mon 2025-01-06 10:00",
        "Mon 2025-02-03 10:00",
        "Mon 2025-03-03 10:00",
        "Mon 2025-04-07 10:00",
    ]


def test_a_rule_with_count_ends_and_then_there_is_no_next_occurrence():
    anchor = datetime(2025, 1, 6, 10, 0, tzinfo=BERLIN)
    dues = series(anchor, "FREQ=WEEKLY;COUNT=3", "Europe/Berlin", 5)
    assert dues[2] is not None
    assert dues[3:] == [None, None]


def test_the_anchor_counts_towards_count_even_when_the_rule_would_not_produce_it():
    """RFC 5545: the start "always counts as the first occurrence"; a Tuesday anchor with
    a Monday rule and COUNT=2 is the Tuesday and one Monday."""
    anchor = datetime(2025, 1, 7, 10, 0, tzinfo=BERLIN)  # a Tuesday
    dues = local(series(anchor, "FREQ=WEEKLY;BYDAY=MO;COUNT=2", "Europe/Berlin", 3), BERLIN)
    assert dues == ["Tue 2025-01-07 10:00", "Mon 2025-01-13 10:00", None]


def test_until_in_utc_as_calendars_export_it_ends_the_series_at_that_instant():
    anchor = datetime(2025, 3, 17, 9, 0, tzinfo=BERLIN)
    rule = validate_recurrence("FREQ=WEEKLY;UNTIL=20250331T070000Z")  # 09:00 CEST on 31 March
    assert rule == "RRULE:FREQ=WEEKLY;UNTIL=20250331T070000Z"
    assert local(series(anchor, rule, "Europe/Berlin", 4), BERLIN) == [
        "Mon 2025-03-17 09:00",
        "Mon 2025-03-24 09:00",
        "Mon 2025-03-31 09:00",
        None,
    ]
    earlier = "FREQ=WEEKLY;UNTIL=20250331T065959Z"
    assert series(anchor, earlier, "Europe/Berlin", 3)[2] is None


@pytest.mark.parametrize(
    ("rule", "normalised"),
    [
        ("", ""),
        ("Weekly", "weekly"),
        (" monthly ", "monthly"),
        ("FREQ=MONTHLY;BYDAY=1MO", "RRULE:FREQ=MONTHLY;BYDAY=1MO"),
        ("RRULE:FREQ=YEARLY", "RRULE:FREQ=YEARLY"),
    ],
)
def test_rules_are_normalised(rule, normalised):
    assert validate_recurrence(rule) == normalised


@pytest.mark.parametrize(
    "rule",
    [
        "fortnightly-ish",
        "FREQ=SOMETIMES",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;COUNT=two",
        "FREQ=HOURLY",
        "FREQ=MINUTELY;INTERVAL=30",
    ],
)
def test_an_invalid_or_too_frequent_rule_is_an_application_error_on_the_recurrence_field(rule):
    with pytest.raises(ApplicationError) as error:
        validate_recurrence(rule)
    assert list(error.value.field_errors) == ["recurrence"]


def test_a_series_without_a_rule_has_only_its_first_occurrence():
    anchor = datetime(2025, 1, 6, 10, 0, tzinfo=BERLIN)
    assert series(anchor, "", "Europe/Berlin", 2) == [anchor.astimezone(UTC), None]
