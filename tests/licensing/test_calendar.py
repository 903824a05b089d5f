"""Billing periods (rule 10) and the share of a period left (rule 9)."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licensing.calendar import (
    Interval,
    Period,
    ProrationMode,
    billing_period,
    period_boundary,
    remaining_fraction,
)

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

SECONDS = ProrationMode.SECONDS
DAYS = ProrationMode.DAYS


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def monthly_ends(anchor: datetime, tz: ZoneInfo = UTC_ZONE, months: int = 12) -> list[datetime]:
    return [period_boundary(anchor, Interval.MONTH, k, tz) for k in range(1, months + 1)]


def at_nine(*days: tuple[int, int, int]) -> list[datetime]:
    return [utc(y, m, d, 9) for y, m, d in days]


# period boundaries: monthly anchors late in the month


def test_an_anchor_on_the_31st_ends_each_month_on_its_last_day_without_drifting() -> None:
    assert monthly_ends(utc(2026, 1, 31, 9)) == at_nine(
        (2026, 2, 28),
        (2026, 3, 31),  # back to the 31st: counted from the anchor, not from Feb 28
        (2026, 4, 30),
        (2026, 5, 31),
        (2026, 6, 30),
        (2026, 7, 31),
        (2026, 8, 31),
        (2026, 9, 30),
        (2026, 10, 31),
        (2026, 11, 30),
        (2026, 12, 31),
        (2027, 1, 31),
    )


def test_an_anchor_on_the_31st_ends_february_on_the_29th_in_a_leap_year() -> None:
    assert monthly_ends(utc(2028, 1, 31, 9)) == at_nine(
        (2028, 2, 29),
        (2028, 3, 31),
        (2028, 4, 30),
        (2028, 5, 31),
        (2028, 6, 30),
        (2028, 7, 31),
        (2028, 8, 31),
        (2028, 9, 30),
        (2028, 10, 31),
        (2028, 11, 30),
        (2028, 12, 31),
        (2029, 1, 31),
    )


def test_an_anchor_on_the_31st_of_august_crosses_the_year_and_a_leap_february() -> None:
    assert monthly_ends(utc(2027, 8, 31, 9)) == at_nine(
        (2027, 9, 30),
        (2027, 10, 31),
        (2027, 11, 30),
        (2027, 12, 31),
        (2028, 1, 31),
        (2028, 2, 29),
        (2028, 3, 31),
        (2028, 4, 30),
        (2028, 5, 31),
        (2028, 6, 30),
        (2028, 7, 31),
        (2028, 8, 31),
    )


def test_an_anchor_on_the_30th_ends_february_on_the_28th_and_then_returns_to_the_30th() -> None:
    assert monthly_ends(utc(2026, 1, 30, 9)) == at_nine(
        (2026, 2, 28),
        (2026, 3, 30),
        (2026, 4, 30),
        (2026, 5, 30),
        (2026, 6, 30),
        (2026, 7, 30),
        (2026, 8, 30),
        (2026, 9, 30),
        (2026, 10, 30),
        (2026, 11, 30),
        (2026, 12, 30),
        (2027, 1, 30),
    )


def test_an_anchor_on_the_30th_ends_february_on_the_29th_in_a_leap_year() -> None:
    assert monthly_ends(utc(2028, 1, 30, 9), months=3) == at_nine(
        (2028, 2, 29), (2028, 3, 30), (2028, 4, 30)
    )


def test_an_anchor_on_the_29th_is_clamped_only_in_a_common_february() -> None:
    assert monthly_ends(utc(2026, 1, 29, 9)) == at_nine(
        (2026, 2, 28),
        (2026, 3, 29),
        (2026, 4, 29),
        (2026, 5, 29),
        (2026, 6, 29),
        (2026, 7, 29),
        (2026, 8, 29),
        (2026, 9, 29),
        (2026, 10, 29),
        (2026, 11, 29),
        (2026, 12, 29),
        (2027, 1, 29),
    )
    assert monthly_ends(utc(2028, 1, 29, 9), months=2) == at_nine((2028, 2, 29), (2028, 3, 29))


def test_period_k_runs_from_boundary_k_to_boundary_k_plus_one() -> None:
    anchor = utc(2026, 1, 31, 9)
    first = billing_period(anchor, Interval.MONTH, 0, UTC_ZONE)
    second = billing_period(anchor, Interval.MONTH, 1, UTC_ZONE)
    third = billing_period(anchor, Interval.MONTH, 2, UTC_ZONE)
    assert first == Period(0, utc(2026, 1, 31, 9), utc(2026, 2, 28, 9))
    assert second == Period(1, utc(2026, 2, 28, 9), utc(2026, 3, 31, 9))
    assert third == Period(2, utc(2026, 3, 31, 9), utc(2026, 4, 30, 9))
    assert (first.end - first.start, second.end - second.start) == (
        timedelta(days=28),
        timedelta(days=31),
    )


def test_boundary_zero_is_the_anchor_itself() -> None:
    anchor = utc(2026, 1, 31, 9, 15, 30, 123456)
    assert period_boundary(anchor, Interval.MONTH, 0, UTC_ZONE) == anchor
    assert period_boundary(anchor, Interval.YEAR, 0, BERLIN) == anchor


def test_a_period_far_in_the_future_is_still_counted_from_the_original_anchor() -> None:
    # 25 months after Jan 31 2026 is Feb 2028: the 29th, not a day that drifted to the 28th.
    assert period_boundary(utc(2026, 1, 31, 9), Interval.MONTH, 25, UTC_ZONE) == utc(2028, 2, 29, 9)
    assert period_boundary(utc(2026, 1, 31, 9), Interval.MONTH, 26, UTC_ZONE) == utc(2028, 3, 31, 9)


# annual anchors


def test_an_annual_anchor_on_february_29_renews_on_the_28th_and_returns_to_the_29th() -> None:
    anchor = utc(2028, 2, 29, 9)
    ends = [period_boundary(anchor, Interval.YEAR, k, UTC_ZONE) for k in range(1, 9)]
    assert ends == at_nine(
        (2029, 2, 28),
        (2030, 2, 28),
        (2031, 2, 28),
        (2032, 2, 29),
        (2033, 2, 28),
        (2034, 2, 28),
        (2035, 2, 28),
        (2036, 2, 29),
    )


def test_an_annual_period_in_a_leap_year_is_366_days_long() -> None:
    period = billing_period(utc(2028, 1, 1), Interval.YEAR, 0, UTC_ZONE)
    assert period == Period(0, utc(2028, 1, 1), utc(2029, 1, 1))
    assert period.end - period.start == timedelta(days=366)


# time zones and daylight saving


def test_a_berlin_midnight_anchor_stays_local_midnight_across_both_dst_changes() -> None:
    anchor = datetime(2026, 1, 31, tzinfo=BERLIN)  # 2026-01-30 23:00 UTC
    ends = monthly_ends(anchor, BERLIN)
    # Summer time runs from Mar 29 to Oct 25 2026: then local midnight is 22:00 UTC, else 23:00.
    assert ends == [
        utc(2026, 2, 27, 23),
        utc(2026, 3, 30, 22),
        utc(2026, 4, 29, 22),
        utc(2026, 5, 30, 22),
        utc(2026, 6, 29, 22),
        utc(2026, 7, 30, 22),
        utc(2026, 8, 30, 22),
        utc(2026, 9, 29, 22),
        utc(2026, 10, 30, 23),
        utc(2026, 11, 29, 23),
        utc(2026, 12, 30, 23),
        utc(2027, 1, 30, 23),
    ]
    local = [end.astimezone(BERLIN) for end in ends]
    assert all(t.time().isoformat() == "00:00:00" for t in local)
    assert [t.date() for t in local] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
    ]


def test_a_period_that_contains_the_spring_change_is_an_hour_short_in_real_time() -> None:
    period = billing_period(datetime(2026, 1, 31, tzinfo=BERLIN), Interval.MONTH, 1, BERLIN)
    assert (period.start, period.end) == (utc(2026, 2, 27, 23), utc(2026, 3, 30, 22))
    assert period.end - period.start == timedelta(days=31, hours=-1)


def test_a_new_york_anchor_keeps_its_wall_clock_time_through_dst() -> None:
    anchor = datetime(2026, 1, 31, 9, tzinfo=NEW_YORK)  # 14:00 UTC in winter
    ends = monthly_ends(anchor, NEW_YORK, months=11)
    # Daylight time in 2026: Mar 8 to Nov 1.
    assert ends[0] == utc(2026, 2, 28, 14)
    assert ends[1] == utc(2026, 3, 31, 13)
    assert ends[8] == utc(2026, 10, 31, 13)
    assert ends[9] == utc(2026, 11, 30, 14)
    assert {end.astimezone(NEW_YORK).hour for end in ends} == {9}


def test_the_anchor_is_read_on_the_billing_clock_not_on_utc() -> None:
    # 23:00 UTC on Jan 30 is already midnight of Jan 31 in Berlin: the anchor day is the 31st.
    anchor = utc(2026, 1, 30, 23)
    assert period_boundary(anchor, Interval.MONTH, 1, BERLIN) == utc(2026, 2, 27, 23)
    assert period_boundary(anchor, Interval.MONTH, 1, UTC_ZONE) == utc(2026, 2, 28, 23)
    assert period_boundary(anchor, Interval.MONTH, 2, BERLIN) == utc(2026, 3, 30, 22)
    assert period_boundary(anchor, Interval.MONTH, 2, UTC_ZONE) == utc(2026, 3, 30, 23)


def test_an_anchor_in_the_repeated_autumn_hour_starts_period_zero_at_the_anchor() -> None:
    # 06:30 UTC on Nov 1 2026 is the second 01:30 in New York (EST, fold=1).
    anchor = utc(2026, 11, 1, 6, 30)
    assert anchor.astimezone(NEW_YORK).fold == 1
    assert period_boundary(anchor, Interval.MONTH, 0, NEW_YORK) == anchor
    assert billing_period(anchor, Interval.MONTH, 0, NEW_YORK).start == anchor
    assert period_boundary(anchor, Interval.MONTH, 1, NEW_YORK) == utc(2026, 12, 1, 6, 30)


# remaining_fraction, seconds mode


def month(year: int, number: int, tz: ZoneInfo = UTC_ZONE) -> Period:
    return billing_period(datetime(year, number, 1, tzinfo=tz), Interval.MONTH, 0, tz)


@pytest.mark.parametrize(
    ("period", "now", "expected"),
    [
        # Feb 2026, 28 days: 13 days 12 hours left = 13.5 / 28 = 27/56
        (month(2026, 2), utc(2026, 2, 15, 12), Fraction(27, 56)),
        # Feb 2028, 29 days: 14.5 days left = 14.5 / 29 = 1/2
        (month(2028, 2), utc(2028, 2, 15, 12), Fraction(1, 2)),
        # Apr 2026, 30 days: 19 days 18 hours left = 19.75 / 30 = 79/120
        (month(2026, 4), utc(2026, 4, 11, 6), Fraction(79, 120)),
        # Mar 2026, 31 days: 17 days 6 hours left = 17.25 / 31 = 69/124
        (month(2026, 3), utc(2026, 3, 14, 18), Fraction(69, 124)),
        # Leap year 2028, 366 days: Jul 2 → Jan 1 is 183 days = 1/2
        (
            billing_period(utc(2028, 1, 1), Interval.YEAR, 0, UTC_ZONE),
            utc(2028, 7, 2),
            Fraction(1, 2),
        ),
        # Common year 2026, 365 days: Jul 2 → Jan 1 is 183 days
        (
            billing_period(utc(2026, 1, 1), Interval.YEAR, 0, UTC_ZONE),
            utc(2026, 7, 2),
            Fraction(183, 365),
        ),
    ],
)
def test_seconds_mode_gives_the_exact_share_of_time_left(
    period: Period, now: datetime, expected: Fraction
) -> None:
    assert remaining_fraction(period, now, SECONDS, UTC_ZONE) == expected


def test_seconds_mode_counts_every_microsecond() -> None:
    period = month(2026, 2)
    one_microsecond_left = period.end - timedelta(microseconds=1)
    assert remaining_fraction(period, one_microsecond_left, SECONDS, UTC_ZONE) == Fraction(
        1, 28 * 86_400 * 1_000_000
    )


def test_seconds_mode_is_the_whole_period_at_the_start_and_nothing_at_the_end() -> None:
    period = month(2026, 2)
    assert remaining_fraction(period, period.start, SECONDS, UTC_ZONE) == 1
    assert remaining_fraction(period, period.end, SECONDS, UTC_ZONE) == 0


def test_a_moment_outside_the_period_is_clamped_to_it() -> None:
    period = month(2026, 2)
    for mode in (SECONDS, DAYS):
        assert remaining_fraction(period, utc(2025, 12, 1), mode, UTC_ZONE) == 1
        assert remaining_fraction(period, utc(2026, 5, 1), mode, UTC_ZONE) == 0


def test_seconds_mode_measures_real_time_across_a_dst_change() -> None:
    # Berlin, Feb 28 00:00 CET → Mar 31 00:00 CEST: 31 days less one hour = 743 hours.
    period = billing_period(datetime(2026, 1, 31, tzinfo=BERLIN), Interval.MONTH, 1, BERLIN)
    now = datetime(2026, 3, 30, tzinfo=BERLIN)  # 24 hours before the end
    assert remaining_fraction(period, now, SECONDS, BERLIN) == Fraction(24, 743)


# remaining_fraction, days mode


@pytest.mark.parametrize(
    ("period", "now", "expected"),
    [
        # Feb 2026: Feb 11 … Feb 28 = 18 of 28 days, whatever the hour on the 11th
        (month(2026, 2), utc(2026, 2, 11), Fraction(18, 28)),
        (month(2026, 2), utc(2026, 2, 11, 18), Fraction(18, 28)),
        (month(2026, 2), utc(2026, 2, 11, 23, 59, 59), Fraction(18, 28)),
        # Feb 2028: Feb 11 … Feb 29 = 19 of 29 days
        (month(2028, 2), utc(2028, 2, 11, 18), Fraction(19, 29)),
        # Apr 2026: Apr 13 … Apr 30 = 18 of 30 days
        (month(2026, 4), utc(2026, 4, 13, 12), Fraction(18, 30)),
        # Mar 2026: Mar 14 … Mar 31 = 18 of 31 days
        (month(2026, 3), utc(2026, 3, 14, 12), Fraction(18, 31)),
        # the first day is the whole period, the last day one day of it
        (month(2026, 2), utc(2026, 2, 1, 23), Fraction(1)),
        (month(2026, 2), utc(2026, 2, 28, 23, 59), Fraction(1, 28)),
        (month(2028, 2), utc(2028, 2, 29, 12), Fraction(1, 29)),
        (month(2026, 4), utc(2026, 4, 30, 12), Fraction(1, 30)),
        (month(2026, 3), utc(2026, 3, 31, 12), Fraction(1, 31)),
        # the day of the period end is not counted
        (month(2026, 2), utc(2026, 3, 1), Fraction(0)),
        # leap year 2028: Jul 2 … Dec 31 = 183 of 366 days; Dec 31 alone = 1 of 366
        (
            billing_period(utc(2028, 1, 1), Interval.YEAR, 0, UTC_ZONE),
            utc(2028, 7, 2, 17),
            Fraction(183, 366),
        ),
        (
            billing_period(utc(2028, 1, 1), Interval.YEAR, 0, UTC_ZONE),
            utc(2028, 12, 31, 23),
            Fraction(1, 366),
        ),
    ],
)
def test_days_mode_counts_the_day_of_now_and_not_the_day_of_the_period_end(
    period: Period, now: datetime, expected: Fraction
) -> None:
    assert remaining_fraction(period, now, DAYS, UTC_ZONE) == expected


def test_days_mode_and_seconds_mode_differ_for_a_purchase_late_in_the_day() -> None:
    period = month(2026, 2)
    now = utc(2026, 2, 11, 18)
    assert remaining_fraction(period, now, DAYS, UTC_ZONE) == Fraction(18, 28)
    # 17 days 6 hours left: 17.25 / 28 = 69/112
    assert remaining_fraction(period, now, SECONDS, UTC_ZONE) == Fraction(69, 112)


def test_days_mode_counts_days_on_the_billing_clock() -> None:
    period = month(2026, 2, TOKYO)  # Feb 1 00:00 JST = Jan 31 15:00 UTC, 28 days
    assert period == Period(0, utc(2026, 1, 31, 15), utc(2026, 2, 28, 15))
    # 23:30 UTC on Feb 10 is 08:30 on Feb 11 in Tokyo: Feb 11 … Feb 28 = 18 days left.
    assert remaining_fraction(period, utc(2026, 2, 10, 23, 30), DAYS, TOKYO) == Fraction(18, 28)
    # 14:59 UTC on Feb 10 is still 23:59 on Feb 10 in Tokyo: 19 days left.
    assert remaining_fraction(period, utc(2026, 2, 10, 14, 59), DAYS, TOKYO) == Fraction(19, 28)
    # 15:00 UTC on Feb 27 is midnight of Feb 28 in Tokyo: the last day.
    assert remaining_fraction(period, utc(2026, 2, 27, 15), DAYS, TOKYO) == Fraction(1, 28)


def test_days_mode_counts_calendar_days_across_a_dst_change() -> None:
    # Berlin, Feb 28 → Mar 31 local: 31 calendar days although only 743 hours pass.
    period = billing_period(datetime(2026, 1, 31, tzinfo=BERLIN), Interval.MONTH, 1, BERLIN)
    # Mar 29 12:00 local (summer time since 02:00 that day): Mar 29 and Mar 30 are left.
    now = datetime(2026, 3, 29, 12, tzinfo=BERLIN)
    assert remaining_fraction(period, now, DAYS, BERLIN) == Fraction(2, 31)


# properties

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
]


def _months_after(day: date, k: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + k
    return index // 12, index % 12 + 1


@given(
    anchor=st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([ZoneInfo(name) for name in ZONES]),
        allow_imaginary=False,
    ),
    tz=st.sampled_from([ZoneInfo(name) for name in ZONES]),
    interval=st.sampled_from(list(Interval)),
    k=st.integers(min_value=0, max_value=600),
)
def test_boundaries_start_at_the_anchor_and_strictly_increase(
    anchor: datetime, tz: ZoneInfo, interval: Interval, k: int
) -> None:
    # Compare in UTC: PEP 495 makes `==` across zones False for a time in a repeated hour.
    assert period_boundary(anchor, interval, 0, tz) == anchor.astimezone(UTC)
    this = period_boundary(anchor, interval, k, tz)
    following = period_boundary(anchor, interval, k + 1, tz)
    assert this < following
    assert this.tzinfo is UTC
    period = billing_period(anchor, interval, k, tz)
    assert (period.index, period.start, period.end) == (k, this, following)


@given(
    anchor=st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    tz=st.sampled_from([ZoneInfo(name) for name in ZONES]),
    k=st.integers(min_value=0, max_value=600),
)
def test_a_monthly_boundary_falls_on_the_anchor_day_or_the_last_day_of_a_shorter_month(
    anchor: datetime, tz: ZoneInfo, k: int
) -> None:
    local_anchor = anchor.astimezone(tz)
    year, number = _months_after(local_anchor.date(), k)
    last_day = stdlib_calendar.monthrange(year, number)[1]
    boundary = period_boundary(anchor, Interval.MONTH, k, tz).astimezone(tz)
    assert boundary.date() == date(year, number, min(local_anchor.day, last_day))


@given(
    anchor=st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    tz=st.sampled_from([ZoneInfo(name) for name in ZONES]),
    interval=st.sampled_from(list(Interval)),
    k=st.integers(min_value=0, max_value=600),
    mode=st.sampled_from(list(ProrationMode)),
    offset=st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=800)),
)
def test_the_share_left_is_always_between_zero_and_one(
    anchor: datetime,
    tz: ZoneInfo,
    interval: Interval,
    k: int,
    mode: ProrationMode,
    offset: timedelta,
) -> None:
    period = billing_period(anchor, interval, k, tz)
    share = remaining_fraction(period, period.start + offset, mode, tz)
    assert isinstance(share, Fraction)
    assert 0 <= share <= 1
    assert remaining_fraction(period, period.start, mode, tz) == 1
    assert remaining_fraction(period, period.end, mode, tz) == 0
