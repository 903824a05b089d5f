"""Many rows written at once, in the shape the service writes them (`subscriptions.open_account`
and `subscribe`, then assignments and ledger rows), without calling it row by row: Core
`insert` executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, text

from licensing import orm
from licensing.calendar import Interval, billing_period
from licensing.context import MAIN_OFFICE, office_key
from licensing.model import RoleName, Status

Row = dict[str, Any]
PRODUCTS = (("talk", "15.00", 1500), ("meetings", "20.00", 2000), ("recording", "5.00", 500))
USERS_PER_POOL = 20
SEATS_PER_POOL = 22  # 20 assigned, 2 scheduled for removal at the period end
BATCH_ACCOUNTS = 2_000
EXPLICIT_IDS = (orm.Account, orm.Office, orm.Pool, orm.Invoice)
TABLE_ORDER = (
    orm.Account,
    orm.Subscription,
    orm.Office,
    orm.Role,
    orm.Pool,
    orm.Assignment,
    orm.Invoice,
    orm.InvoiceLine,
    orm.LedgerEntry,
)


def insert_rows(conn: Connection, model: type[orm.Base], rows: Sequence[Row]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(model), list(rows))
        return
    columns = list(rows[0])
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def bump_sequences(conn: Connection) -> None:
    """After rows with explicit ids, PostgreSQL's sequences continue after the largest."""
    if conn.dialect.name != "postgresql":
        return
    for model in EXPLICIT_IDS:
        name = model.__tablename__
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )


class DueAccounts:
    """Accounts subscribed monthly since `anchor`, with 3 pools of 20 users each, whose
    first period ended before now."""

    def __init__(self, now: datetime) -> None:
        self.anchor = now - timedelta(days=40)
        self.trial_start = self.anchor - timedelta(days=14)
        self.period = billing_period(self.anchor, Interval.MONTH, 0, ZoneInfo("UTC"))

    def rows(self, first: int, last: int) -> dict[type[orm.Base], list[Row]]:
        """Every row of the accounts with ids first..last, by table."""
        tables: dict[type[orm.Base], list[Row]] = {}
        for account_id in range(first, last + 1):
            for model, row in self._account(account_id):
                tables.setdefault(model, []).append(row)
        return tables

    def _account(self, account_id: int) -> Iterator[tuple[type[orm.Base], Row]]:
        yield (
            orm.Account,
            {
                "id": account_id,
                "team_id": f"T{account_id:08d}",
                "enterprise_id": "",
                "time_zone": "UTC",
                "billing_details": "Visa ending 4242",
                "created_at": self.trial_start,
            },
        )
        yield (
            orm.Subscription,
            {
                "account_id": account_id,
                "status": Status.ACTIVE.value,
                "interval": Interval.MONTH.value,
                "anchor": self.anchor,
                "period_index": 0,
                "current_period_start": self.period.start,
                "current_period_end": self.period.end,
                "trial_end": self.anchor,
            },
        )
        yield (
            orm.Office,
            {
                "id": account_id,
                "account_id": account_id,
                "name": MAIN_OFFICE,
                "name_key": office_key(MAIN_OFFICE),
            },
        )
        yield (
            orm.Role,
            {
                "account_id": account_id,
                "user_id": "UOWNER",
                "role": RoleName.COMPANY_ADMIN.value,
                "office_id": None,
            },
        )
        yield from self._pools(account_id)
        yield from self._history(account_id)

    def _pools(self, account_id: int) -> Iterator[tuple[type[orm.Base], Row]]:
        for offset, (product, _, _) in enumerate(PRODUCTS):
            pool_id = (account_id - 1) * len(PRODUCTS) + offset + 1
            yield (
                orm.Pool,
                {
                    "id": pool_id,
                    "account_id": account_id,
                    "office_id": account_id,
                    "product_id": product,
                    "purchased": SEATS_PER_POOL,
                    "scheduled_for_removal": SEATS_PER_POOL - USERS_PER_POOL,
                    "assigned": USERS_PER_POOL,
                },
            )
            for user in range(USERS_PER_POOL):  # the same users hold Talk and its add-on
                yield (
                    orm.Assignment,
                    {
                        "account_id": account_id,
                        "pool_id": pool_id,
                        "product_id": product,
                        "user_id": f"U{user:05d}",
                        "assigned_at": self.anchor,
                    },
                )

    def _history(self, account_id: int) -> Iterator[tuple[type[orm.Base], Row]]:
        """The trial's start, the subscription and its first invoice, in the ledger."""
        ledger = {"account_id": account_id, "actor": "UOWNER", "office_name": None}
        ledger |= {"product_id": None, "user_id": None, "seats": 0, "currency": None}
        ledger |= {"amount_minor": 0, "invoice_id": None, "detail": ""}
        yield orm.LedgerEntry, {**ledger, "at": self.trial_start, "event": "trial_started"}
        yield orm.LedgerEntry, {**ledger, "at": self.anchor, "event": "subscription_started"}
        yield (
            orm.Invoice,
            {
                "id": account_id,
                "account_id": account_id,
                "kind": "subscription",
                "created_at": self.anchor,
                "currency": "USD",
                "total_minor": sum(cents * SEATS_PER_POOL for _, _, cents in PRODUCTS),
                "covers_start": self.period.start,
                "covers_end": self.period.end,
            },
        )
        for product, price, cents in PRODUCTS:
            amount = cents * SEATS_PER_POOL
            yield (
                orm.InvoiceLine,
                {
                    "invoice_id": account_id,
                    "product_id": product,
                    "office_name": MAIN_OFFICE,
                    "seats": SEATS_PER_POOL,
                    "unit_price": price,
                    "amount_minor": amount,
                },
            )
            yield (
                orm.LedgerEntry,
                {
                    **ledger,
                    "at": self.anchor,
                    "event": "subscribed",
                    "office_name": MAIN_OFFICE,
                    "product_id": product,
                    "seats": SEATS_PER_POOL,
                    "currency": "USD",
                    "amount_minor": amount,
                    "invoice_id": account_id,
                },
            )


def seed_due_accounts(engine: Engine, count: int, now: datetime) -> None:
    """`count` accounts (ids 1..count in an empty database) all due at once."""
    accounts = DueAccounts(now)
    for first in range(1, count + 1, BATCH_ACCOUNTS):
        rows = accounts.rows(first, min(first + BATCH_ACCOUNTS - 1, count))
        with engine.begin() as conn:
            for model in TABLE_ORDER:
                insert_rows(conn, model, rows.get(model, []))
    with engine.begin() as conn:
        bump_sequences(conn)
