"""Shortcuts for service tests: reading rows back and putting an account in a state."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.calendar import Interval
from licensing.requests import SetBillingDetails, Subscribe
from licensing.schemas import AccountKey, Actor, PoolTarget
from licensing.service import LicensingService
from tests.conftest import OWNER


def subscribe(
    service: LicensingService,
    account: AccountKey,
    seats: int = 5,
    product: str = "talk",
    interval: Interval = Interval.MONTH,
) -> None:
    """Convert the trial to a paid subscription with `seats` seats of `product`."""
    service.handle(account, OWNER, SetBillingDetails(details="Visa ending 4242"))
    pools = (PoolTarget(product=product, seats=seats),)
    request = Subscribe(interval=interval, pools=pools, start_now=True)
    service.handle(account, OWNER, request, idempotency_key=f"subscribe-{seats}")


def ledger_events(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(orm.LedgerEntry.event).order_by(orm.LedgerEntry.id)))


def count_rows(engine: Engine, table: type[orm.Base]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def pool_counts(
    service: LicensingService, account: AccountKey, product: str = "talk", office: str = "Main"
) -> tuple[int, int, int]:
    """(purchased, scheduled_for_removal, assigned) of one pool, as an admin sees it."""
    for pool in service.status(account, OWNER).pools:
        if pool.product_id == product and pool.office == office:
            return (pool.seats.purchased, pool.seats.scheduled_for_removal, pool.seats.assigned)
    return (0, 0, 0)


def member(user_id: str) -> Actor:
    return Actor(user_id=user_id)
