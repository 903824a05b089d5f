"""Scale of one account: an assign, a purchase and a status read on an account with a pool of
10 seats, against one with 100,000 seats in the pool and 1,000,000 ledger rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from benchmarks.databases import Databases
from benchmarks.operations import OWNER, make_service
from benchmarks.results import Case, Check, Sample, SuiteResult, ratio
from benchmarks.seed import insert_rows
from benchmarks.sizes import Sizes
from licensing import orm
from licensing.calendar import Interval
from licensing.db import make_engine
from licensing.requests import Assign, Purchase, Revoke, SetBillingDetails, Subscribe
from licensing.schemas import AccountKey, PoolTarget
from licensing.service import LicensingService

SUITE = "scale of one account"
SMALL_POOL = 10
ASSIGNED_SHARE = 0.9  # of the big pool's seats, held by users
BOUND = 1.3
BATCH = 50_000


def _subscribed(service: LicensingService, team_id: str) -> AccountKey:
    key = AccountKey(team_id=team_id)
    service.install(key, OWNER.user_id)
    service.handle(key, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=SMALL_POOL),)
    service.handle(
        key,
        OWNER,
        Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
        idempotency_key=f"{team_id}-sub",
    )
    return key


def _grow(engine: Engine, team_id: str, seats: int, ledger_rows: int) -> None:
    """Give the account's Talk pool `seats` seats, most of them assigned, and a long ledger."""
    now = datetime.now(UTC)
    assigned = int(seats * ASSIGNED_SHARE)
    with engine.begin() as conn:
        account_id = conn.scalar(select(orm.Account.id).where(orm.Account.team_id == team_id))
        pool_id = conn.scalar(select(orm.Pool.id).where(orm.Pool.account_id == account_id))
        conn.execute(
            update(orm.Pool)
            .where(orm.Pool.id == pool_id)
            .values(purchased=seats, assigned=assigned)
        )
        users = [
            {
                "account_id": account_id,
                "pool_id": pool_id,
                "product_id": "talk",
                "user_id": f"UBIG{n:07d}",
                "assigned_at": now,
            }
            for n in range(assigned)
        ]
        insert_rows(conn, orm.Assignment, users)
    entry = {
        "account_id": account_id,
        "at": now,
        "event": "seat_assigned",
        "actor": "UOWNER",
        "office_name": "Main",
        "product_id": "talk",
        "seats": 1,
        "currency": None,
        "amount_minor": 0,
        "invoice_id": None,
        "detail": "",
    }
    for first in range(0, ledger_rows, BATCH):
        rows = [
            {**entry, "user_id": f"UBIG{n % assigned:07d}"}
            for n in range(first, min(first + BATCH, ledger_rows))
        ]
        with engine.begin() as conn:
            insert_rows(conn, orm.LedgerEntry, rows)


def _operations(service: LicensingService, key: AccountKey) -> dict[str, Callable[[int], None]]:
    def assign(n: int) -> None:
        service.handle(key, OWNER, Assign(user_id=f"UNEW{n:06d}", product="talk"))

    def purchase(n: int) -> None:
        service.handle(
            key, OWNER, Purchase(count=1, product="talk"), idempotency_key=f"scale-buy-{n}"
        )

    def status(n: int) -> None:
        service.status(key, OWNER)

    return {"assign": assign, "purchase": purchase, "status": status}


def _undo(service: LicensingService, key: AccountKey, kind: str, n: int) -> None:
    """Keep the small pool small: each timed assign is revoked, untimed."""
    if kind == "assign":
        service.handle(key, OWNER, Revoke(user_id=f"UNEW{n:06d}", product="talk"))


def _milliseconds(
    service: LicensingService, key: AccountKey, kind: str, first: int, count: int
) -> float:
    operation, spent = _operations(service, key)[kind], 0.0
    for n in range(first, first + count):
        started = time.perf_counter()
        operation(n)
        spent += time.perf_counter() - started
        _undo(service, key, kind, n)
    return spent / count * 1000


def _measure(url: str, sizes: Sizes) -> dict[tuple[str, str], list[float]]:
    engine = make_engine(url)
    service = make_service(engine)
    small, big = _subscribed(service, "TSMALL"), _subscribed(service, "TBIG")
    _grow(engine, "TBIG", sizes.big_pool_seats, sizes.big_ledger_rows)
    times: dict[tuple[str, str], list[float]] = {}
    count = sizes.scale_operations
    for run in range(-1, sizes.repeats):  # run -1 warms up and is not kept
        for kind in ("assign", "purchase", "status"):
            for name, key in (("small", small), ("big", big)):
                ms = _milliseconds(service, key, kind, (run + 1) * count, count)
                if run >= 0:
                    times.setdefault((kind, name), []).append(ms)
    engine.dispose()
    return times


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    result = SuiteResult()
    for kind in databases.kinds:
        url = databases.fresh(kind)
        times = _measure(url, sizes)
        databases.drop(url)
        for operation in ("assign", "purchase", "status"):
            small, big = (
                Sample.of(times[(operation, "small")]),
                Sample.of(times[(operation, "big")]),
            )
            share = ratio(big.median, small.median)
            labels = {"operation": operation, "database": kind}
            metrics = {f"ms, {SMALL_POOL} seats": small, f"ms, {sizes.big_pool_seats:,} seats": big}
            result.cases.append(Case(SUITE, labels, metrics, {"big ÷ small": share}))
            target = f"{operation} on {kind}: {sizes.big_pool_seats:,} seats and {sizes.big_ledger_rows:,} ledger rows ÷ {SMALL_POOL} seats ≤ {BOUND}"
            result.checks.append(Check(target, share, BOUND, False))
    return result
