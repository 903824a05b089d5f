"""Many accounts due at once, seeded in bulk, and the check that each period closed once."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from benchmarks.seed import PRODUCTS, SEATS_PER_POOL, USERS_PER_POOL, seed_due_accounts
from licensing import orm

# At the period end each pool's seats scheduled for removal leave, and the seats still held
# are charged for the next period.
REMOVED_PER_POOL = SEATS_PER_POOL - USERS_PER_POOL
RENEWAL_MINOR = sum(cents * USERS_PER_POOL for _, _, cents in PRODUCTS)


def seed(engine: Engine, accounts: int, now: datetime) -> datetime:
    """`accounts` subscribed accounts (3 pools of 22 seats, 2 of each scheduled for removal)
    whose first period ended before `now`, the next not yet; their period end."""
    seed_due_accounts(engine, accounts, now)
    with Session(engine) as session:
        return session.scalars(select(orm.Subscription.current_period_end).limit(1)).one()


def closings(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(orm.PeriodClosing)) or 0)


def wait_for_closings(
    engine: Engine, at_least: int, process: subprocess.Popen[str], *, timeout: float = 300
) -> int:
    """Poll the closings until there are `at_least`, while `process` runs; how many there were."""
    deadline = time.monotonic() + timeout
    while (closed := closings(engine)) < at_least:
        if process.poll() is not None:
            pytest.fail(
                f"the process closing periods ended (exit code {process.returncode}) with "
                f"{closed} closed; waited for {at_least}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"{closed} periods closed after {timeout:g} s; waited for {at_least}")
        time.sleep(0.02)
    return closed


def assert_each_period_closed_once(engine: Engine, accounts: int, period_end: datetime) -> None:
    """Every seeded account's period closed once: one closing, one renewal invoice and one
    period-end notice each, removals applied once, and the ledger agreeing with the invoices."""
    with Session(engine) as session:
        per_account = session.execute(
            select(
                orm.PeriodClosing.account_id, func.count(), func.min(orm.PeriodClosing.outcome)
            ).group_by(orm.PeriodClosing.account_id)
        ).all()
        assert len(per_account) == accounts
        assert {(n, outcome) for _, n, outcome in per_account} == {(1, "renewed")}
        assert set(session.scalars(select(orm.PeriodClosing.period_end))) == {period_end}

        renewals = select(orm.Invoice).where(orm.Invoice.kind == "renewal").subquery()
        invoices = session.execute(
            select(renewals.c.account_id, renewals.c.covers_start, func.count()).group_by(
                renewals.c.account_id, renewals.c.covers_start
            )
        ).all()
        assert len(invoices) == accounts and {n for *_, n in invoices} == {1}
        assert {start for _, start, _ in invoices} == {period_end}
        invoiced = session.scalar(select(func.sum(renewals.c.total_minor)))
        lines = session.scalar(
            select(func.sum(orm.InvoiceLine.amount_minor)).join(
                renewals, orm.InvoiceLine.invoice_id == renewals.c.id
            )
        )
        assert invoiced == lines == accounts * RENEWAL_MINOR

        charged = session.execute(
            select(func.count(), func.sum(orm.LedgerEntry.amount_minor))
            .join(renewals, orm.LedgerEntry.invoice_id == renewals.c.id)
            .where(
                orm.LedgerEntry.event == "renewal_charged",
                orm.LedgerEntry.account_id == renewals.c.account_id,
            )
        ).one()
        assert tuple(charged) == (accounts * len(PRODUCTS), accounts * RENEWAL_MINOR)
        all_charged = select(func.count()).where(orm.LedgerEntry.event == "renewal_charged")
        assert session.scalar(all_charged) == accounts * len(PRODUCTS)
        removed = session.execute(
            select(func.count(), func.sum(orm.LedgerEntry.seats)).where(
                orm.LedgerEntry.event == "seats_removed"
            )
        ).one()
        assert tuple(removed) == (
            accounts * len(PRODUCTS),
            accounts * len(PRODUCTS) * REMOVED_PER_POOL,
        )
        seeded_pools = select(orm.Pool.purchased, orm.Pool.scheduled_for_removal).where(
            orm.Pool.account_id <= accounts  # the seeded accounts' ids are 1..accounts
        )
        assert {tuple(row) for row in session.execute(seeded_pools)} == {(USERS_PER_POOL, 0)}

        ended = select(func.count()).where(orm.Notice.kind == "period_ended")
        assert session.scalar(ended) == accounts
        still_due = select(func.count()).where(orm.Subscription.current_period_end <= period_end)
        assert session.scalar(still_due) == 0
