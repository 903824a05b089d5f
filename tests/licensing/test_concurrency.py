"""Requests racing on one account, on SQLite and on PostgreSQL.

Each test starts its threads together on a `threading.Barrier`; they share one
LicensingService (engines are thread-safe) built on an engine with a connection for every
thread, so the requests really do meet in the database. Whatever the interleaving, the
outcome must be one that some serial order of the same requests would give.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from licensing import orm
from licensing.calendar import Interval
from licensing.catalog import Catalog
from licensing.db import make_engine, make_session_factory
from licensing.errors import LicensingError, NoSeatAvailable, NothingToRestore
from licensing.requests import (
    Assign,
    Purchase,
    Restore,
    ScheduleRemoval,
    SetBillingDetails,
    Subscribe,
)
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, PoolTarget, PurchaseQuote, SeatChange
from licensing.service import LicensingService
from licensing.transactions import Policy
from tests.conftest import OWNER, TEAM, FakeClock

THREADS = 20
JOIN_TIMEOUT = 120  # seconds; a thread still running after this is a deadlock


@dataclass(frozen=True)
class Outcome:
    result: Any = None
    refusal: LicensingError | None = None


@pytest.fixture
def racing_engine(engine: Engine) -> Iterator[Engine]:
    """The test database again, with a connection for every thread."""
    url = engine.url.render_as_string(hide_password=False)
    racing = make_engine(url, pool_size=THREADS + 5, max_overflow=0, pool_timeout=JOIN_TIMEOUT)
    yield racing
    racing.dispose()


@pytest.fixture
def racing(racing_engine: Engine, catalog: Catalog, clock: FakeClock) -> LicensingService:
    """One service shared by all threads; TEAM installed by OWNER, on its trial."""
    service = LicensingService(make_session_factory(racing_engine), catalog, clock, Policy())
    service.install(TEAM, OWNER.user_id)
    return service


@pytest.fixture
def racing_scheduled(racing_engine: Engine, catalog: Catalog, clock: FakeClock) -> ScheduledWork:
    """The scheduler's work, shared by all threads, on the racing engine."""
    return ScheduledWork(make_session_factory(racing_engine), catalog, clock)


def run_together(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run each call in its own thread, all released at once; refusals are outcomes,
    any other exception fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = Outcome(result=calls[index]())
        except LicensingError as refusal:
            outcomes[index] = Outcome(refusal=refusal)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "threads did not finish: deadlock?"
    if errors:
        raise errors[0]
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def account_id(engine: Engine, key: AccountKey = TEAM) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(orm.Account.id).where(orm.Account.team_id == key.team_id)
            ).scalar_one()
        )


def pool_row(engine: Engine, product: str = "talk") -> tuple[int, int, int, int]:
    """(purchased, scheduled_for_removal, assigned, assignment rows) of the Main pool."""
    with engine.connect() as conn:
        pool = conn.execute(
            select(orm.Pool)
            .join(orm.Office, orm.Office.id == orm.Pool.office_id)
            .where(
                orm.Pool.account_id == account_id(engine),
                orm.Office.name == "Main",
                orm.Pool.product_id == product,
            )
        ).one()
        rows = conn.execute(
            select(func.count())
            .select_from(orm.Assignment)
            .where(orm.Assignment.pool_id == pool.id)
        ).scalar_one()
    return pool.purchased, pool.scheduled_for_removal, pool.assigned, rows


def ledger_rows(engine: Engine, event: str) -> list[tuple[int, int, int | None]]:
    """(seats, amount_minor, invoice_id) of each ledger row of one event, oldest first."""
    with engine.connect() as conn:
        return [
            (row.seats, row.amount_minor, row.invoice_id)
            for row in conn.execute(
                select(orm.LedgerEntry)
                .where(orm.LedgerEntry.event == event)
                .order_by(orm.LedgerEntry.id)
            )
        ]


def assert_money_reconciles(engine: Engine) -> None:
    """The ledger adds up to the invoices, invoice by invoice and line by line."""
    with engine.connect() as conn:
        invoices = dict(conn.execute(select(orm.Invoice.id, orm.Invoice.total_minor)).all())
        by_ledger = dict(
            conn.execute(
                select(orm.LedgerEntry.invoice_id, func.sum(orm.LedgerEntry.amount_minor)).group_by(
                    orm.LedgerEntry.invoice_id
                )
            ).all()
        )
        by_lines = dict(
            conn.execute(
                select(orm.InvoiceLine.invoice_id, func.sum(orm.InvoiceLine.amount_minor)).group_by(
                    orm.InvoiceLine.invoice_id
                )
            ).all()
        )
    assert by_ledger.pop(None, 0) == 0, "money moved outside an invoice"
    assert set(by_ledger) <= set(invoices)
    for invoice_id, total in invoices.items():
        assert by_ledger.get(invoice_id, 0) == total, f"invoice {invoice_id}: ledger ≠ total"
        assert by_lines.get(invoice_id, 0) == total, f"invoice {invoice_id}: lines ≠ total"


def count_rows(engine: Engine, table: type[orm.Base]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# (a) the last free seats


@pytest.mark.parametrize("phase", ["trial", "subscribed"])
def test_twenty_admins_racing_for_five_free_seats_assign_exactly_five(
    racing: LicensingService, racing_engine: Engine, phase: str
) -> None:
    held_before = 0
    if phase == "trial":
        racing.handle(TEAM, OWNER, Purchase(count=5, product="talk"), idempotency_key="buy-5")
    else:
        racing.handle(TEAM, OWNER, SetBillingDetails(details="Visa ending 4242"))
        pools = (PoolTarget(product="talk", seats=7),)
        racing.handle(
            TEAM,
            OWNER,
            Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
            idempotency_key="subscribe",
        )
        for user in ("UOLD1", "UOLD2"):
            racing.handle(TEAM, OWNER, Assign(user_id=user, product="talk"))
        held_before = 2
    purchased = 5 + held_before
    assert pool_row(racing_engine) == (purchased, 0, held_before, held_before)
    users = [f"U{i:02d}" for i in range(THREADS)]

    outcomes = run_together(
        [
            lambda user=user: racing.handle(TEAM, OWNER, Assign(user_id=user, product="talk"))
            for user in users
        ]
    )

    winners = [o.result for o in outcomes if o.refusal is None]
    losers = [o.refusal for o in outcomes if o.refusal is not None]
    assert len(winners) == 5
    assert len(losers) == THREADS - 5
    assert all(isinstance(refusal, NoSeatAvailable) for refusal in losers), losers
    # Each winner took the next seat: the counts they saw form one serial order.
    assert sorted(w.pool_after.assigned for w in winners) == list(
        range(held_before + 1, purchased + 1)
    )
    assert all(w.pool_after.available == purchased - w.pool_after.assigned for w in winners)
    # Each loser came after all five winners: it saw the pool full.
    for refusal in losers:
        assert isinstance(refusal, NoSeatAvailable)
        assert (refusal.purchased, refusal.assigned, refusal.scheduled) == (purchased, purchased, 0)
    assert pool_row(racing_engine) == (purchased, 0, purchased, purchased)
    assigned = ledger_rows(racing_engine, "seat_assigned")
    assert len(assigned) == purchased
    assert {w.user_id for w in winners} == set(racing.users(TEAM, OWNER, "talk")[0].user_ids) - {
        "UOLD1",
        "UOLD2",
    }
    assert_money_reconciles(racing_engine)


# (b) restores, purchases and a repeated key racing over seats scheduled for removal

SUBSCRIBED_SEATS = 10
SCHEDULED = 6
RESTORE_THREADS, RESTORE_EACH = 6, 2  # 12 seats asked back, only 6 are scheduled
PURCHASE_THREADS, PURCHASE_EACH = 8, 1
SAME_KEY_THREADS, SAME_KEY_EACH = 6, 3
UNIT_PRICE = Fraction(15)  # Talk, monthly
SHARE_LEFT = Fraction(18, 28)  # 10 days into the 28-day period Jan 31 → Feb 28


def prorated_minor(seats: int) -> int:
    return floor(UNIT_PRICE * seats * SHARE_LEFT * 100 + Fraction(1, 2))


def test_restores_and_purchases_racing_end_as_some_serial_order_would(
    racing: LicensingService, racing_engine: Engine, clock: FakeClock
) -> None:
    racing.handle(TEAM, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=SUBSCRIBED_SEATS),)
    racing.handle(
        TEAM,
        OWNER,
        Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
        idempotency_key="subscribe",
    )
    clock.advance(days=10)
    racing.handle(
        TEAM, OWNER, ScheduleRemoval(count=SCHEDULED, product="talk"), idempotency_key="remove"
    )
    assert pool_row(racing_engine) == (SUBSCRIBED_SEATS, SCHEDULED, 0, 0)
    invoices_before = count_rows(racing_engine, orm.Invoice)
    keys_before = count_rows(racing_engine, orm.IdempotencyRecord)

    calls: list[tuple[str, int, Callable[[], Any]]] = []
    for i in range(RESTORE_THREADS):
        key = f"restore-{i}"
        calls.append(
            (
                "restore",
                RESTORE_EACH,
                lambda key=key: racing.handle(
                    TEAM, OWNER, Restore(count=RESTORE_EACH, product="talk"), idempotency_key=key
                ),
            )
        )
    for i in range(PURCHASE_THREADS):
        key = f"buy-{i}"
        calls.append(
            (
                "purchase",
                PURCHASE_EACH,
                lambda key=key: racing.handle(
                    TEAM, OWNER, Purchase(count=PURCHASE_EACH, product="talk"), idempotency_key=key
                ),
            )
        )
    for _ in range(SAME_KEY_THREADS):
        calls.append(
            (
                "same key",
                SAME_KEY_EACH,
                lambda: racing.handle(
                    TEAM,
                    OWNER,
                    Purchase(count=SAME_KEY_EACH, product="talk"),
                    idempotency_key="buy-same",
                ),
            )
        )
    assert len(calls) == THREADS

    outcomes = run_together([call for _, _, call in calls])
    kinds = [(kind, count) for kind, count, _ in calls]

    # Purchases are never refused; a restore only when too few seats were left to restore.
    for (kind, _), outcome in zip(kinds, outcomes, strict=True):
        if kind != "restore":
            assert outcome.refusal is None, outcome.refusal
        elif outcome.refusal is not None:
            assert isinstance(outcome.refusal, NothingToRestore), outcome.refusal

    # The same key: every call returns the first result, and it was charged once.
    same = [o.result for (kind, _), o in zip(kinds, outcomes, strict=True) if kind == "same key"]
    assert all(result == same[0] for result in same)

    # Replay the successes serially, in the order their results imply: each request adds
    # its count to the seats that renew (purchased − scheduled), so sorting by that orders
    # them, and each must then be exactly what a serial run from the start gives.
    executed: list[tuple[str, int, Any]] = [
        (kind, count, o.result)
        for (kind, count), o in zip(kinds, outcomes, strict=True)
        if o.refusal is None and kind != "same key"
    ]
    executed.append(("same key", SAME_KEY_EACH, same[0]))

    def renewing(result: PurchaseQuote | SeatChange) -> int:
        return result.pool_after.purchased - result.pool_after.scheduled_for_removal

    executed.sort(key=lambda item: renewing(item[2]))
    purchased, scheduled = SUBSCRIBED_SEATS, SCHEDULED
    charged_minor, charged_invoices, restored_total = 0, 0, 0
    for kind, count, result in executed:
        if kind == "restore":
            assert count <= scheduled, "a restore took back seats that were not scheduled"
            scheduled -= count
            restored_total += count
            assert isinstance(result, SeatChange) and result.count == count
        else:
            assert isinstance(result, PurchaseQuote)
            restored = min(count, scheduled)
            scheduled -= restored
            purchased += count - restored
            restored_total += restored
            assert (result.requested, result.restored, result.charged_seats) == (
                count,
                restored,
                count - restored,
            )
            assert result.amount == Decimal(prorated_minor(count - restored)).scaleb(-2)
            assert (result.invoice_id is not None) == (count > restored)
            if count > restored:
                charged_minor += prorated_minor(count - restored)
                charged_invoices += 1
        assert result.pool_after.purchased == purchased
        assert result.pool_after.scheduled_for_removal == scheduled
        assert scheduled >= 0

    # A refused restore is explained by the serial order: in the end fewer seats than it
    # asked for were scheduled (scheduled only ever goes down here).
    if any(o.refusal is not None for o in outcomes):
        assert scheduled < RESTORE_EACH

    assert pool_row(racing_engine) == (purchased, scheduled, 0, 0)
    assert restored_total == SCHEDULED - scheduled
    # Every request that went through kept exactly its count of seats for the next period.
    assert purchased - scheduled == SUBSCRIBED_SEATS - SCHEDULED + sum(c for _, c, _ in executed)
    restored_rows = ledger_rows(racing_engine, "seats_restored")
    assert sum(seats for seats, _, _ in restored_rows) == restored_total
    bought_rows = ledger_rows(racing_engine, "seats_purchased")
    assert sum(amount for _, amount, _ in bought_rows) == charged_minor
    assert len(bought_rows) == charged_invoices
    same_invoice = same[0].invoice_id
    if same_invoice is not None:
        assert [row for row in bought_rows if row[2] == same_invoice] == [
            (same[0].charged_seats, prorated_minor(same[0].charged_seats), same_invoice)
        ]
    assert count_rows(racing_engine, orm.Invoice) == invoices_before + charged_invoices
    assert count_rows(racing_engine, orm.IdempotencyRecord) == keys_before + len(executed)
    assert_money_reconciles(racing_engine)


# (c) several schedulers closing the same period ends


def test_schedulers_racing_over_due_periods_close_each_once_in_order(
    racing: LicensingService,
    racing_scheduled: ScheduledWork,
    racing_engine: Engine,
    clock: FakeClock,
) -> None:
    racing.handle(TEAM, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=3),)
    racing.handle(
        TEAM,
        OWNER,
        Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
        idempotency_key="subscribe",
    )
    racing.handle(TEAM, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="remove")
    clock.advance(days=31 + 28 + 31 + 1)  # past Feb 28, Mar 31 and Apr 30 (09:00)

    def close_all_due() -> list[Any]:
        closed = []
        while (result := racing_scheduled.close_next_due_period()) is not None:
            closed.append(result)
        return closed

    calls: list[Callable[[], Any]] = [lambda: racing_scheduled.close_due_periods(TEAM)] * (
        THREADS // 2
    )
    calls += [close_all_due] * (THREADS - len(calls))
    outcomes = run_together(calls)

    assert all(o.refusal is None for o in outcomes)
    closed = sorted(
        (result for o in outcomes for result in o.result), key=lambda result: result.period_end
    )
    assert [(c.period_end.month, c.period_end.day) for c in closed] == [(2, 28), (3, 31), (4, 30)]
    assert [sum(r.seats for r in c.removed) for c in closed] == [1, 0, 0]
    assert [c.invoice.total if c.invoice else None for c in closed] == [Decimal("30.00")] * 3
    with racing_engine.connect() as conn:
        renewals = conn.execute(
            select(orm.Invoice.covers_start).where(orm.Invoice.kind == "renewal")
        ).all()
        closings = conn.execute(select(func.count()).select_from(orm.PeriodClosing)).scalar_one()
    assert len(renewals) == len(set(renewals)) == 3
    assert closings == 3
    assert pool_row(racing_engine) == (2, 0, 0, 0)
    assert_money_reconciles(racing_engine)
