"""The open transaction of one request: the locked account, the actor's access and `now`,
with the lookups and records every use case shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from licensing import orm
from licensing.access import Access
from licensing.calendar import Interval, Period
from licensing.catalog import Catalog, Product
from licensing.db import UnitOfWork
from licensing.errors import UnknownOffice, UnknownProduct
from licensing.model import Seats, Status, full_charge
from licensing.money import Money
from licensing.repository import Repository
from licensing.schemas import InvoiceLineView, SeatCounts

MAIN_OFFICE = "Main"


def office_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def seat_counts(seats: Seats) -> SeatCounts:
    return SeatCounts(
        purchased=seats.purchased,
        scheduled_for_removal=seats.scheduled_for_removal,
        assigned=seats.assigned,
        available=seats.available,
    )


def seats_of(pool: orm.Pool | None) -> Seats:
    if pool is None:
        return Seats()
    return Seats(pool.purchased, pool.scheduled_for_removal, pool.assigned)


@dataclass
class Context:
    uow: UnitOfWork
    catalog: Catalog
    account: orm.Account
    subscription: orm.Subscription
    access: Access
    actor_id: str
    now: datetime

    @property
    def repo(self) -> Repository:
        return self.uow.repo

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.account.time_zone)

    @property
    def status(self) -> Status:
        return Status(self.subscription.status)

    @property
    def interval(self) -> Interval:
        return Interval(self.subscription.interval)

    @property
    def currency(self) -> str:
        return self.catalog.currency

    def current_period(self) -> Period:
        end = self.subscription.current_period_end
        assert end is not None, "an ended subscription has no current period"
        return Period(self.subscription.period_index, self.subscription.current_period_start, end)

    def product(self, text: str) -> Product:
        product = self.catalog.find(text)
        if product is None:
            raise UnknownProduct(text, [p.id for p in self.catalog.products])
        return product

    def office(self, text: str | None) -> orm.Office:
        office = self.repo.office_by_key(self.account.id, office_key(text or MAIN_OFFICE))
        if office is None:
            names = [o.name for o in self.repo.offices(self.account.id)]
            raise UnknownOffice(text or MAIN_OFFICE, names)
        return office

    def office_name(self, office_id: int) -> str:
        return self.uow.session.get_one(orm.Office, office_id).name

    def pool(self, office: orm.Office, product: Product) -> orm.Pool:
        """The pool, created empty the first time it is needed."""
        pool = self.repo.pool(office.id, product.id)
        if pool is None:
            pool = orm.Pool(
                account_id=self.account.id,
                office_id=office.id,
                product_id=product.id,
                purchased=0,
                scheduled_for_removal=0,
                assigned=0,
            )
            self.repo.add(pool)
        return pool

    @staticmethod
    def store(pool: orm.Pool, seats: Seats) -> None:
        pool.purchased = seats.purchased
        pool.scheduled_for_removal = seats.scheduled_for_removal
        pool.assigned = seats.assigned

    def unit_price(self, product_id: str, interval: Interval | None = None) -> Decimal:
        product = self.catalog.get(product_id)
        assert product is not None, f"product {product_id} left the catalog"
        return product.unit_price(interval or self.interval)

    def renewal_lines(
        self, changes: dict[tuple[int, str], Seats] | None = None, interval: Interval | None = None
    ) -> list[InvoiceLineView]:
        """What the next period would charge, with `changes` (by office id and product id)
        applied to the pools as they stand; nothing is written."""
        changes = dict(changes or {})
        pools = {(p.office_id, p.product_id): seats_of(p) for p in self.repo.pools(self.account.id)}
        pools.update(changes)
        lines = []
        for (office_id, product_id), seats in sorted(pools.items()):
            if seats.renewing:
                price = self.unit_price(product_id, interval)
                lines.append(
                    InvoiceLineView(
                        product_id=product_id,
                        office=self.office_name(office_id),
                        seats=seats.renewing,
                        unit_price=price,
                        amount=full_charge(price, seats.renewing, self.currency).amount,
                    )
                )
        return lines

    def next_invoice_estimate(self, changes: dict[tuple[int, str], Seats] | None = None) -> Decimal:
        if self.status in (Status.CANCELING, Status.CANCELED):
            return Decimal(0)
        return sum((line.amount for line in self.renewal_lines(changes)), Decimal(0))

    def record(self, event: str, **fields: object) -> orm.LedgerEntry:
        """Append a ledger row; `fields` are columns of `orm.LedgerEntry`."""
        values: dict[str, object] = {"seats": 0, "amount_minor": 0, "detail": "", **fields}
        entry = orm.LedgerEntry(
            account_id=self.account.id, at=self.now, event=event, actor=self.actor_id, **values
        )
        self.repo.add(entry)
        return entry

    def invoice(
        self, kind: str, covers: Period, lines: list[InvoiceLineView], event: str
    ) -> orm.Invoice:
        """An invoice and, in the same transaction, one ledger row per line."""
        amounts = [Money(line.amount, self.currency) for line in lines]
        invoice = orm.Invoice(
            account_id=self.account.id,
            kind=kind,
            created_at=self.now,
            currency=self.currency,
            total_minor=sum(amount.to_minor() for amount in amounts),
            covers_start=covers.start,
            covers_end=covers.end,
        )
        self.repo.add(invoice)
        self.repo.flush()
        for line, amount in zip(lines, amounts, strict=True):
            self.repo.add(
                orm.InvoiceLine(
                    invoice_id=invoice.id,
                    product_id=line.product_id,
                    office_name=line.office,
                    seats=line.seats,
                    unit_price=str(line.unit_price),
                    amount_minor=amount.to_minor(),
                )
            )
            self.record(
                event,
                office_name=line.office,
                product_id=line.product_id,
                seats=line.seats,
                currency=self.currency,
                amount_minor=amount.to_minor(),
                invoice_id=invoice.id,
            )
        return invoice
