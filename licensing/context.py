"""The open transaction of one request: the locked account, the actor's access and `now`,
with the lookups and records every use case shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from licensing import names, orm
from licensing.access import Access
from licensing.calendar import Interval, Period
from licensing.catalog import Catalog, Product
from licensing.collection import Dunning, to_collect
from licensing.db import UnitOfWork
from licensing.errors import UnknownOffice, UnknownProduct
from licensing.model import Seats, Status, full_charge
from licensing.money import Money
from licensing.repository import Repository
from licensing.schemas import InvoiceLineView, SeatCounts

MAIN_OFFICE = "Main"
# Every ledger row names each column, so that a change's rows are written in one statement.
_LEDGER_DEFAULTS: dict[str, object] = {
    "office_name": None,
    "product_id": None,
    "user_id": None,
    "seats": 0,
    "currency": None,
    "amount_minor": 0,
    "invoice_id": None,
    "detail": "",
}


def ledger_row(
    account: orm.Account, at: datetime, event: str, actor: str, **fields: object
) -> dict[str, object]:
    """The columns of a ledger row; `fields` are other columns of `orm.LedgerEntry`."""
    identity = {"account_id": account.id, "at": at, "event": event, "actor": actor}
    return identity | _LEDGER_DEFAULTS | fields


def office_key(name: str) -> str:
    return names.name_key(name)


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
    # How invoices are collected; None when they are records only.
    dunning: Dunning | None = None
    # The account's offices and pools, read once per transaction: every use case needs them,
    # and there are few of them. The rows held here are the session's own, so changes show.
    _offices: dict[int, orm.Office] | None = field(default=None, init=False, repr=False)
    _pools: dict[tuple[int, str], orm.Pool] | None = field(default=None, init=False, repr=False)

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
    def renewal_interval(self) -> Interval:
        """The interval of the next period: a switched one, or the current one."""
        return Interval(self.subscription.next_interval or self.subscription.interval)

    @property
    def currency(self) -> str:
        return self.catalog.currency

    def period_has_ended(self) -> bool:
        """Whether the current period ended before now (and is not yet closed)."""
        end = self.subscription.current_period_end
        return end is not None and end <= self.now

    def current_period(self) -> Period:
        end = self.subscription.current_period_end
        assert end is not None, "an ended subscription has no current period"
        return Period(self.subscription.period_index, self.subscription.current_period_start, end)

    def product(self, text: str) -> Product:
        product = self.catalog.find(text)
        if product is None:
            raise UnknownProduct(text, [p.id for p in self.catalog.products])
        return product

    def offices(self) -> list[orm.Office]:
        """Oldest first."""
        return list(self._office_map().values())

    def find_office(self, name: str) -> orm.Office | None:
        """The office of that name, however it is spaced or cased. A key stored before keys
        were normalised as they are now is compared as it would be today."""
        key = office_key(name)
        return next((o for o in self.offices() if key in (o.name_key, office_key(o.name))), None)

    def default_office(self) -> orm.Office | None:
        """Where a request that names no office goes: an office admin's office when they
        administer exactly one, else the account's first office (Main, unless renamed)."""
        offices = self.offices()
        own = [o for o in offices if o.id in self.access.office_ids]
        if not self.access.company_admin and len(own) == 1:
            return own[0]
        return offices[0] if offices else None

    def office(self, text: str | None) -> orm.Office:
        office = self.find_office(text) if text is not None else self.default_office()
        if office is None:
            raise UnknownOffice(text or MAIN_OFFICE, [o.name for o in self.offices()])
        return office

    def office_by_id(self, office_id: int) -> orm.Office:
        return self._office_map()[office_id]

    def office_name(self, office_id: int) -> str:
        return self.office_by_id(office_id).name

    def add_office(self, name: str) -> orm.Office:
        office = orm.Office(account_id=self.account.id, name=name, name_key=office_key(name))
        self.repo.add(office)
        self.repo.flush()
        self._office_map()[office.id] = office
        return office

    def rename_office(self, office: orm.Office, name: str) -> None:
        office.name, office.name_key = name, office_key(name)
        self.repo.flush()

    def remove_office(self, office: orm.Office) -> None:
        """The office and its pools, which must be empty."""
        for key, pool in list(self._pool_map().items()):
            if pool.office_id == office.id:
                self.repo.delete(pool)
                del self._pool_map()[key]
        self.repo.flush()
        self.repo.delete(office)
        del self._office_map()[office.id]
        self.repo.flush()

    def pools(self) -> list[orm.Pool]:
        """Ordered by office id, then product id."""
        return [pool for _, pool in sorted(self._pool_map().items())]

    def find_pool(self, office_id: int, product_id: str) -> orm.Pool | None:
        return self._pool_map().get((office_id, product_id))

    def pool_by_id(self, pool_id: int) -> orm.Pool:
        return next(pool for pool in self._pool_map().values() if pool.id == pool_id)

    def pool(self, office: orm.Office, product: Product) -> orm.Pool:
        """The pool, created empty the first time it is needed."""
        pool = self.find_pool(office.id, product.id)
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
            self._pool_map()[(office.id, product.id)] = pool
        return pool

    def delete_instance_data(self) -> None:
        """Offices, pools, assignments and roles go; invoices and the ledger stay. An empty
        Main office is left, as every account has one, so the account can start again."""
        self.repo.delete_instance_data(self.account.id)
        self._offices = self._pools = None
        self.add_office(MAIN_OFFICE)

    def _office_map(self) -> dict[int, orm.Office]:
        if self._offices is None:
            self._read_offices_and_pools()
        assert self._offices is not None
        return self._offices

    def _pool_map(self) -> dict[tuple[int, str], orm.Pool]:
        if self._pools is None:
            self._read_offices_and_pools()
        assert self._pools is not None
        return self._pools

    def _read_offices_and_pools(self) -> None:
        offices, pools = self.repo.offices_and_pools(self.account.id)
        self._offices = {o.id: o for o in offices}
        self._pools = {(p.office_id, p.product_id): p for p in pools}

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
        """What the next period would charge, on its interval (a switched one applies from
        then), with `changes` (by office id and product id) applied to the pools as they
        stand; nothing is written."""
        interval = interval or self.renewal_interval
        pools = {key: seats_of(pool) for key, pool in self._pool_map().items()}
        pools.update(changes or {})
        lines = []
        for (office_id, product_id), seats in sorted(pools.items()):
            if seats.renewing:
                price = self.unit_price(product_id, interval)
                lines.append(
                    InvoiceLineView(
                        product_id=product_id,
                        product_name=self.catalog.name_of(product_id),
                        office=self.office_name(office_id),
                        seats=seats.renewing,
                        unit_price=price,
                        amount=full_charge(price, seats.renewing, self.currency).amount,
                    )
                )
        return lines

    def next_invoice_estimate(self, changes: dict[tuple[int, str], Seats] | None = None) -> Decimal:
        if self.status in (Status.CANCELING, Status.CANCELED):
            return Money.zero(self.currency).amount
        lines = self.renewal_lines(changes)
        return Money.total((line.amount for line in lines), self.currency).amount

    def record(self, event: str, **fields: object) -> None:
        """Append a ledger row; `fields` are columns of `orm.LedgerEntry`."""
        self.repo.append_ledger(ledger_row(self.account, self.now, event, self.actor_id, **fields))

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
            lines=[
                orm.InvoiceLine(
                    product_id=line.product_id,
                    office_name=line.office,
                    seats=line.seats,
                    unit_price=str(line.unit_price),
                    amount_minor=amount.to_minor(),
                )
                for line, amount in zip(lines, amounts, strict=True)
            ],
        )
        collected = self.dunning is not None and invoice.total_minor > 0
        invoice.payment = to_collect(invoice) if collected else None
        self.repo.add(invoice)
        self.repo.flush()  # the ledger rows name the invoice's number
        for line, amount in zip(lines, amounts, strict=True):
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
