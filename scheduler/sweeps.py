"""Sweeps: each asks the database what is due and does it, so nothing depends on timers held
in memory, and nothing is lost while the process was down."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from licensing.scheduled import ScheduledWork
from licensing.schemas import PeriodClosed

log = logging.getLogger(__name__)


def close_due_periods(work: ScheduledWork, *, limit: int | None = None) -> Iterator[PeriodClosed]:
    """Close due periods, oldest first, one account per transaction, until none is due (or
    `limit` are closed), yielding each as it commits. Several processes may sweep at once;
    each period closes once."""
    closed = 0
    while limit is None or closed < limit:
        result = work.close_next_due_period()
        if result is None:
            return
        log.info(
            "closed %s period ending %s: %s", result.team_id, result.period_end, result.outcome
        )
        closed += 1
        yield result


def write_due_reminders(work: ScheduledWork) -> int:
    """Write the reminders of every account whose lead time has come; how many accounts."""
    accounts = 0
    while work.write_next_due_reminders():
        accounts += 1
    return accounts
