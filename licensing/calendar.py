"""Billing periods and proration: pure functions of time, exhaustively tested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class ProrationMode(StrEnum):
    SECONDS = "seconds"
    DAYS = "days"


@dataclass(frozen=True)
class Period:
    """The half-open span `[start, end)` of billing period number `index` (0 is the first)."""

    index: int
    start: datetime
    end: datetime


def period_boundary(anchor: datetime, interval: Interval, k: int, tz: ZoneInfo) -> datetime:
    """`anchor + k intervals`, always counted from the original anchor.

    Counting is done on the wall clock of the billing time zone, so a period that starts at
    midnight on the 31st ends at midnight on the last day of a shorter month, whatever the
    daylight-saving offset.
    """
    step = relativedelta(months=k) if interval == Interval.MONTH else relativedelta(years=k)
    local = anchor.astimezone(tz)
    # Adding resets `fold`; keep it, or an anchor in a repeated hour would move by that hour.
    return (local + step).replace(fold=local.fold).astimezone(UTC)


def billing_period(anchor: datetime, interval: Interval, index: int, tz: ZoneInfo) -> Period:
    return Period(
        index=index,
        start=period_boundary(anchor, interval, index, tz),
        end=period_boundary(anchor, interval, index + 1, tz),
    )


def following_period(
    current_end: datetime, anchor: datetime, interval: Interval, index: int, tz: ZoneInfo
) -> Period:
    """Period `index`, which starts exactly where the one before it ended: it ends on the
    anchor's calendar in `tz`, so a billing time zone changed meanwhile applies from here on
    without a gap or an overlap."""
    return Period(
        index=index, start=current_end, end=period_boundary(anchor, interval, index + 1, tz)
    )


def remaining_fraction(
    period: Period, now: datetime, mode: ProrationMode, tz: ZoneInfo
) -> Fraction:
    """The share of `period` still ahead at `now`, exactly.

    In seconds mode: `(end - now) / (end - start)`. In days mode, whole calendar days in the
    billing time zone: the day of `now` counts, the day of the period end does not.
    """
    now = min(max(now, period.start), period.end)
    if mode is ProrationMode.SECONDS:
        return Fraction(_microseconds(period.end - now), _microseconds(period.end - period.start))
    start_day, now_day, end_day = (t.astimezone(tz).date() for t in (period.start, now, period.end))
    return Fraction((end_day - now_day).days, (end_day - start_day).days)


def _microseconds(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


def local_date(moment: datetime, tz: ZoneInfo) -> str:
    """A day as people read it in messages, e.g. `Feb 28, 2026`."""
    return moment.astimezone(tz).strftime("%b %-d, %Y")
