"""Accounts whose period ends come due when a benchmark says, each in a workspace of its own
in the stand-in Slack with a notice channel, and the wait until their period end is over: for
the benchmarks that run a period end through licensebot's own processes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, update

from benchmarks.seed import seed_due_accounts
from licensing import orm
from slack_standin.workspace import SlackChannel, SlackUser, Workspace

HELD_BACK = timedelta(days=365)  # the seeded period ends, until the benchmark is ready
POLL_SECONDS = 0.2


def notice_workspaces(accounts: int, host: str) -> Iterator[Workspace]:
    """A workspace for each seeded account (team `T%08d`), whose notice channel (`C%08d`) is
    shared with the host workspace, so that the one bot token of the server posts to all."""
    for n in range(1, accounts + 1):
        yield Workspace(
            team_id=f"T{n:08d}",
            team_name=f"Company {n}",
            domain=f"company{n}",
            bot_user_id=f"B{n:08d}",
            users=[SlackUser(f"U{n:08d}", f"admin{n}", f"Admin {n}", is_admin=True)],
            channels=[SlackChannel(f"C{n:08d}", "licenses", shared_with={host})],
        )


def seed(engine: Engine, accounts: int) -> None:
    """Accounts 1..accounts with a notice channel each, their period ends held back."""
    seed_due_accounts(engine, accounts, datetime.now(UTC))
    with engine.begin() as conn:
        conn.execute(
            update(orm.Account)
            .where(orm.Account.id <= accounts)
            .values(notice_channel=func.replace(orm.Account.team_id, "T", "C"))
        )
    period_ends_at(engine, accounts, datetime.now(UTC) + HELD_BACK)


def period_ends_at(engine: Engine, accounts: int, moment: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(orm.Subscription)
            .where(orm.Subscription.account_id <= accounts)
            .values(current_period_end=moment)
        )


def progress(engine: Engine) -> tuple[int, int]:
    """Periods closed, and notices not yet sent."""
    with engine.connect() as conn:
        closed = conn.scalar(select(func.count()).select_from(orm.PeriodClosing)) or 0
        waiting = conn.scalar(
            select(func.count())
            .select_from(orm.NoticeDelivery)
            .where(orm.NoticeDelivery.state == "pending")
        )
        return int(closed), int(waiting or 0)


def closed_and_posted(
    engine: Engine, accounts: int, wait_seconds: float, watch: Callable[[], object] | None = None
) -> tuple[float, float]:
    """Bring the period ends due now and wait until every account is closed and every notice
    posted: the seconds until each, from the moment they came due. `watch` is called at each
    look, to stop the wait with an error of its own (a process that stopped)."""
    period_ends_at(engine, accounts, datetime.now(UTC))
    due = time.monotonic()
    closed_at: float | None = None
    while time.monotonic() - due < wait_seconds:
        time.sleep(POLL_SECONDS)
        if watch:
            watch()
        closed, waiting = progress(engine)
        if closed_at is None and closed >= accounts:
            closed_at = time.monotonic()
        if closed_at is not None and not waiting:
            return closed_at - due, time.monotonic() - due
    raise RuntimeError(
        f"{accounts:,} period ends were not closed and posted within {wait_seconds:,.0f} s"
    )
