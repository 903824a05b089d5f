"""Licensing operations: purchase, assign, revoke and restore through `LicensingService`,
against the same transactions written by hand with the plain driver, on each database."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from benchmarks import plain
from benchmarks.databases import Databases
from benchmarks.results import Case, Check, Sample, SuiteResult, ratio
from benchmarks.sizes import Sizes
from licensing.calendar import Interval
from licensing.catalog import load_catalog
from licensing.clock import SystemClock
from licensing.db import make_engine, make_session_factory
from licensing.requests import (
    Assign,
    Purchase,
    Restore,
    Revoke,
    ScheduleRemoval,
    SetBillingDetails,
    Subscribe,
)
from licensing.schemas import AccountKey, Actor, PoolTarget
from licensing.service import LicensingService

SUITE = "licensing operations"
OWNER = Actor(user_id="UOWNER", workspace_admin=True)
KINDS = ("purchase", "assign", "revoke", "restore")
TARGET_RATIO = 0.5
WARM_UP_OPERATIONS = 20  # the first calls fill SQLAlchemy's statement caches

Operation = Callable[[int], None]


def make_service(engine: Engine) -> LicensingService:
    return LicensingService(make_session_factory(engine), load_catalog(), SystemClock())


def open_paid_account(service: LicensingService, team_id: str, seats: int) -> AccountKey:
    """A subscribed account: `seats` spare Talk seats, `seats` Meetings seats scheduled for
    removal (so each can be restored)."""
    key = AccountKey(team_id=team_id)
    service.install(key, OWNER.user_id)
    service.handle(key, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product="talk", seats=seats), PoolTarget(product="meetings", seats=seats))
    service.handle(
        key,
        OWNER,
        Subscribe(interval=Interval.MONTH, pools=pools, start_now=True),
        idempotency_key=f"{team_id}-sub",
    )
    service.handle(
        key,
        OWNER,
        ScheduleRemoval(count=seats, product="meetings"),
        idempotency_key=f"{team_id}-rm",
    )
    return key


def service_operations(service: LicensingService, key: AccountKey) -> dict[str, Operation]:
    def purchase(n: int) -> None:
        service.handle(key, OWNER, Purchase(count=1, product="talk"), idempotency_key=f"buy-{n}")

    def assign(n: int) -> None:
        service.handle(key, OWNER, Assign(user_id=f"U{n:06d}", product="talk"))

    def revoke(n: int) -> None:
        service.handle(key, OWNER, Revoke(user_id=f"U{n:06d}", product="talk"))

    def restore(n: int) -> None:
        service.handle(
            key, OWNER, Restore(count=1, product="meetings"), idempotency_key=f"restore-{n}"
        )

    return {"purchase": purchase, "assign": assign, "revoke": revoke, "restore": restore}


def plain_operations(conn: plain.PlainConnection, ids: plain.PoolIds) -> dict[str, Operation]:
    by_hand = {
        "purchase": plain.purchase,
        "assign": plain.assign,
        "revoke": plain.revoke,
        "restore": plain.restore,
    }
    return {name: functools.partial(fn, conn, ids) for name, fn in by_hand.items()}


def ops_per_second(operation: Operation, count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        operation(n)
    return count / (time.perf_counter() - started)


@dataclass
class _Runs:
    service: dict[str, list[float]]
    plain: dict[str, list[float]]


def _one_run(url: str, run: int, count: int, runs: _Runs) -> None:
    """A fresh pair of accounts; each kind measured on the service, then by hand."""
    engine = make_engine(url)
    service = make_service(engine)
    key = open_paid_account(service, f"TSVC{run}", count)
    open_paid_account(service, f"TPLAIN{run}", count)
    conn = plain.PlainConnection(url)
    try:
        by_hand = plain_operations(conn, plain.pool_ids(conn, f"TPLAIN{run}"))
        through_service = service_operations(service, key)
        for kind in KINDS:
            runs.service[kind].append(ops_per_second(through_service[kind], count))
            runs.plain[kind].append(ops_per_second(by_hand[kind], count))
    finally:
        conn.close()
        engine.dispose()


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    result = SuiteResult()
    for kind in databases.kinds:
        url = databases.fresh(kind)
        runs = _Runs({k: [] for k in KINDS}, {k: [] for k in KINDS})
        _one_run(url, -1, min(sizes.operations, WARM_UP_OPERATIONS), runs)
        runs = _Runs({k: [] for k in KINDS}, {k: [] for k in KINDS})  # the warm-up is not kept
        for number in range(sizes.repeats):
            _one_run(url, number, sizes.operations, runs)
        databases.drop(url)
        for operation in KINDS:
            service, by_hand = Sample.of(runs.service[operation]), Sample.of(runs.plain[operation])
            share = ratio(service.median, by_hand.median)
            result.cases.append(
                Case(
                    SUITE,
                    {"operation": operation, "database": kind},
                    {"service ops/s": service, "plain driver ops/s": by_hand},
                    {"service / plain": share},
                )
            )
            target = f"{operation} on {kind}: service ≥ {TARGET_RATIO}× plain driver"
            result.checks.append(Check(target, share, TARGET_RATIO, True))
    return result
