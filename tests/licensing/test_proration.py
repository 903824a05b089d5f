"""Prorated and full charges: unit price × seats × remaining / period, rounded once, half up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from licensing.calendar import Interval, Period, ProrationMode, billing_period
from licensing.model import full_charge, prorated_charge
from licensing.money import Money

UTC_ZONE = ZoneInfo("UTC")
TOKYO = ZoneInfo("Asia/Tokyo")
SECONDS = ProrationMode.SECONDS
DAYS = ProrationMode.DAYS
BOTH_MODES = pytest.mark.parametrize("mode", [SECONDS, DAYS])


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def month(year: int, number: int, tz: ZoneInfo = UTC_ZONE) -> Period:
    """The monthly period that starts at midnight on the 1st of `number`, on the `tz` clock."""
    return billing_period(datetime(year, number, 1, tzinfo=tz), Interval.MONTH, 0, tz)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def charge(
    price: str,
    seats: int,
    period: Period,
    now: datetime,
    mode: ProrationMode = SECONDS,
    tz: ZoneInfo = UTC_ZONE,
    currency: str = "USD",
) -> Money:
    return prorated_charge(Decimal(price), seats, period, now, mode, tz, currency)


# the same purchase in months of every length


@BOTH_MODES
def test_two_seats_with_18_of_28_days_left_cost_19_29(mode: ProrationMode) -> None:
    # Feb 2026 has 28 days; Feb 11 … Feb 28 are 18 of them.
    # 2 × 15.00 × 18 / 28 = 540 / 28 = 19.2857… → 19.29
    assert charge("15.00", 2, month(2026, 2), utc(2026, 2, 11), mode) == usd("19.29")


@BOTH_MODES
def test_two_seats_with_18_of_29_days_left_in_a_leap_february_cost_18_62(
    mode: ProrationMode,
) -> None:
    # Feb 2028 has 29 days; Feb 12 … Feb 29 are 18 of them.
    # 2 × 15.00 × 18 / 29 = 540 / 29 = 18.6206… → 18.62
    assert charge("15.00", 2, month(2028, 2), utc(2028, 2, 12), mode) == usd("18.62")


@BOTH_MODES
def test_two_seats_with_18_of_30_days_left_cost_exactly_18_00(mode: ProrationMode) -> None:
    # Apr 2026 has 30 days; Apr 13 … Apr 30 are 18 of them.
    # 2 × 15.00 × 18 / 30 = 540 / 30 = 18.00
    assert charge("15.00", 2, month(2026, 4), utc(2026, 4, 13), mode) == usd("18.00")


@BOTH_MODES
def test_two_seats_with_18_of_31_days_left_cost_17_42(mode: ProrationMode) -> None:
    # Mar 2026 has 31 days; Mar 14 … Mar 31 are 18 of them.
    # 2 × 15.00 × 18 / 31 = 540 / 31 = 17.4193… → 17.42
    assert charge("15.00", 2, month(2026, 3), utc(2026, 3, 14), mode) == usd("17.42")


@BOTH_MODES
def test_a_purchase_at_the_start_of_the_period_costs_the_full_price(mode: ProrationMode) -> None:
    # 2 × 15.00 × 28 / 28 = 30.00
    period = month(2026, 2)
    assert charge("15.00", 2, period, period.start, mode) == usd("30.00")


# days mode and seconds mode


def test_a_purchase_at_18_00_costs_less_in_seconds_mode_than_in_days_mode() -> None:
    period = month(2026, 2)
    now = utc(2026, 2, 11, 18)
    # days: Feb 11 counts whole → 2 × 15.00 × 18 / 28 = 19.2857… → 19.29
    assert charge("15.00", 2, period, now, DAYS) == usd("19.29")
    # seconds: 17 days 6 hours = 17.25 days left → 2 × 15.00 × 17.25 / 28 = 517.5 / 28
    #          = 18.4821… → 18.48
    assert charge("15.00", 2, period, now, SECONDS) == usd("18.48")


def test_seconds_mode_charges_for_the_exact_time_left() -> None:
    # Feb 15 12:00 → Mar 1 00:00 is 13.5 days: 1 × 20.00 × 13.5 / 28 = 270 / 28 = 9.6428… → 9.64
    assert charge("20.00", 1, month(2026, 2), utc(2026, 2, 15, 12)) == usd("9.64")


def test_days_mode_counts_days_in_the_billing_time_zone() -> None:
    period = month(2026, 2, TOKYO)  # Feb 1 → Mar 1 on the Tokyo clock, 28 days
    # 23:30 UTC on Feb 10 is 08:30 on Feb 11 in Tokyo: 18 days left → 19.29, as above.
    assert charge("15.00", 2, period, utc(2026, 2, 10, 23, 30), DAYS, TOKYO) == usd("19.29")
    # 14:00 UTC on Feb 10 is 23:00 on Feb 10 in Tokyo: 19 days left.
    # 2 × 15.00 × 19 / 28 = 570 / 28 = 20.3571… → 20.36
    assert charge("15.00", 2, period, utc(2026, 2, 10, 14), DAYS, TOKYO) == usd("20.36")


# rounding


def test_a_charge_of_exactly_half_a_cent_over_rounds_up_in_days_mode() -> None:
    # Bought on Feb 28, the last of 28 days: 1 × 14.70 × 1 / 28 = 0.525 → 0.53 (not 0.52)
    assert charge("14.70", 1, month(2026, 2), utc(2026, 2, 28, 10), DAYS) == usd("0.53")


def test_a_charge_of_exactly_half_a_cent_over_rounds_up_in_seconds_mode() -> None:
    # Apr 16 00:00 is halfway through April: 1 × 15.05 × 15 / 30 = 7.525 → 7.53 (not 7.52)
    assert charge("15.05", 1, month(2026, 4), utc(2026, 4, 16)) == usd("7.53")


def test_the_line_is_rounded_once_not_once_per_seat() -> None:
    # 3 × 0.01 × 15 / 30 = 0.015 → 0.02; rounding each seat's 0.005 first would give 0.03.
    assert charge("0.01", 3, month(2026, 4), utc(2026, 4, 16)) == usd("0.02")


def test_a_charge_is_rounded_to_the_minor_unit_of_its_currency() -> None:
    # 1 × 1500 × 18 / 28 = 964.2857… → 964 yen
    assert charge("1500", 1, month(2026, 2), utc(2026, 2, 11), currency="JPY") == Money(
        Decimal("964"), "JPY"
    )
    # 1 × 5.000 × 18 / 28 = 3.2142857… → 3.214 dinars
    assert charge("5.000", 1, month(2026, 2), utc(2026, 2, 11), currency="KWD") == Money(
        Decimal("3.214"), "KWD"
    )


# nothing left


@BOTH_MODES
def test_nothing_left_of_the_period_costs_nothing(mode: ProrationMode) -> None:
    period = month(2026, 2)
    assert charge("15.00", 2, period, period.end, mode) == usd("0.00")
    assert str(charge("15.00", 2, period, period.end, mode)) == "0.00 USD"
    assert charge("15.00", 2, period, period.end + timedelta(days=3), mode) == usd("0.00")


def test_one_second_left_rounds_to_nothing() -> None:
    # 2 × 15.00 × 1 / 2,419,200 s = 0.0000124… → 0.00
    period = month(2026, 2)
    assert charge("15.00", 2, period, period.end - timedelta(seconds=1)) == usd("0.00")


def test_no_seats_cost_nothing() -> None:
    assert charge("15.00", 0, month(2026, 2), utc(2026, 2, 11)) == usd("0.00")


# full charges


@pytest.mark.parametrize(
    ("price", "seats", "expected"),
    [
        ("15.00", 2, "30.00"),
        ("150.00", 7, "1050.00"),
        ("20.00", 0, "0.00"),
        ("0.125", 3, "0.38"),  # 0.375 → 0.38, half up
        ("0.125", 1, "0.13"),  # 0.125 → 0.13, half up (half even would give 0.12)
        ("0.333333", 3, "1.00"),  # 0.999999 → 1.00
    ],
)
def test_a_full_charge_is_price_times_seats_rounded_once_half_up(
    price: str, seats: int, expected: str
) -> None:
    assert full_charge(Decimal(price), seats, "USD") == usd(expected)


def test_a_full_charge_in_yen_has_no_decimals() -> None:
    assert full_charge(Decimal("1500"), 3, "JPY") == Money(Decimal("4500"), "JPY")
    assert str(full_charge(Decimal("1500"), 3, "JPY")) == "4500 JPY"
