"""The only place licensebot reads the time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from licensing import orm
from licensing.errors import LicensingError


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ClockError(LicensingError):
    pass


class StoredTestClock:
    """A simulated time kept in the database, so every process of the bot sees the same one.

    Like a Stripe test clock it stands still until moved, and only moves forward: periods
    that were closed stay closed. On first use it starts at the real time.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def start(self) -> None:
        """Store the starting time, if none is stored yet. Call before serving requests."""
        with self._session_factory() as session:
            started = session.get(orm.TestClockRow, 1) is not None
        if not started:
            self.set(datetime.now(UTC).replace(microsecond=0))

    def now(self) -> datetime:
        # A read-only transaction: `now()` is called inside write transactions, and on SQLite a
        # second writer there would wait for the first, which waits for the time.
        with self._session_factory() as session:
            session.connection(execution_options={"read_only": True})
            row = session.get(orm.TestClockRow, 1)
            if row is None:
                raise ClockError("The test clock was not started; run `licensebot clock show`.")
            return row.now

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ClockError("Give the time with its offset, e.g. 2026-12-01T09:00:00+00:00.")
        with self._session_factory.begin() as session:
            row = session.get(orm.TestClockRow, 1)
            if row is None:
                session.add(orm.TestClockRow(id=1, now=moment))
            elif moment < row.now:
                raise ClockError(
                    f"The test clock only moves forward; it is already {row.now.isoformat()}."
                )
            else:
                row.now = moment
        return moment.astimezone(UTC)

    def advance(self, duration: timedelta) -> datetime:
        return self.set(self.now() + duration)


_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|s)")
_UNIT_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """`10d`, `1w2d`, `36h`, `90m`, `30s` and sums of them."""
    compact = text.strip().lower()
    parts = _DURATION_PART.findall(compact)
    if not compact or _DURATION_PART.sub("", compact).strip():
        raise ClockError(f"“{text}” is not a duration. Use forms like 10d, 36h, 1w2d or 90m.")
    return timedelta(seconds=sum(int(n) * _UNIT_SECONDS[unit] for n, unit in parts))
