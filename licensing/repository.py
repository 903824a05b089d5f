"""Queries, each on an index. PostgreSQL takes row locks where asked; SQLite holds the
database write lock for the whole transaction instead (see `db.py`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from licensing import orm
from licensing.collection import PaymentState
from licensing.notice_store import NoticeStore

# The statements of every request, built once with bound parameters. SQLAlchemy caches the
# SQL it compiles either way, but building a statement again each time costs about as much
# Python as running it.
_ACCOUNT_KEY = (
    orm.Account.team_id == bindparam("team_id"),
    orm.Account.enterprise_id == bindparam("enterprise_id"),
)
_ACCOUNT = select(orm.Account).where(*_ACCOUNT_KEY)
_ACCOUNT_BY_ID = select(orm.Account).where(orm.Account.id == bindparam("account_id"))
_ACCOUNT_WITH_SUBSCRIPTION = (
    select(orm.Account, orm.Subscription)
    .join(orm.Subscription, orm.Subscription.account_id == orm.Account.id)
    .where(*_ACCOUNT_KEY)
)
_SUBSCRIPTION = select(orm.Subscription).where(
    orm.Subscription.account_id == bindparam("account_id")
)
_LOCKED_SUBSCRIPTION = _SUBSCRIPTION.with_for_update()
_LOCKED_SUBSCRIPTION_BY_KEY = (
    select(orm.Subscription)
    .where(
        orm.Subscription.account_id == select(orm.Account.id).where(*_ACCOUNT_KEY).scalar_subquery()
    )
    .with_for_update()
)


def _oldest_due(
    due_at: InstrumentedAttribute[datetime | None],
) -> Select[orm.Subscription, orm.Account]:
    return (
        select(orm.Subscription, orm.Account)
        .join(orm.Account, orm.Account.id == orm.Subscription.account_id)
        .where(due_at <= bindparam("now"))
        .order_by(due_at, orm.Subscription.account_id)
        .limit(1)
        .with_for_update(of=orm.Subscription, skip_locked=True)
    )


_OLDEST_DUE_PERIOD_END = _oldest_due(orm.Subscription.current_period_end)
_OLDEST_DUE_REMINDERS = _oldest_due(orm.Subscription.remind_at)
_OFFICES = (
    select(orm.Office)
    .where(orm.Office.account_id == bindparam("account_id"))
    .order_by(orm.Office.id)
)
_POOLS = (
    select(orm.Pool)
    .where(orm.Pool.account_id == bindparam("account_id"))
    .order_by(orm.Pool.office_id, orm.Pool.product_id)
)
_OFFICES_AND_POOLS = (
    select(orm.Office, orm.Pool)
    .outerjoin(orm.Pool, orm.Pool.office_id == orm.Office.id)
    .where(orm.Office.account_id == bindparam("account_id"))
    .order_by(orm.Office.id, orm.Pool.product_id)
)
_ASSIGNMENTS_OF = select(orm.Assignment).where(
    orm.Assignment.account_id == bindparam("account_id"),
    orm.Assignment.user_id == bindparam("user_id"),
)
_ASSIGNMENT = _ASSIGNMENTS_OF.where(orm.Assignment.product_id == bindparam("product_id"))
_ROLES_OF = select(orm.Role).where(
    orm.Role.account_id == bindparam("account_id"), orm.Role.user_id == bindparam("user_id")
)
_UNPAID = (
    select(orm.Payment)
    .where(
        orm.Payment.account_id == bindparam("account_id"),
        orm.Payment.state.in_((PaymentState.DUE, PaymentState.FAILED)),
        orm.Payment.failures > 0,
    )
    .order_by(orm.Payment.id)
)
_IDEMPOTENCY_RECORD = select(orm.IdempotencyRecord).where(
    orm.IdempotencyRecord.account_id == bindparam("account_id"),
    orm.IdempotencyRecord.key == bindparam("key"),
)


LEDGER = cast(Table, orm.LedgerEntry.__table__)


class Claimed(NamedTuple):
    subscription: orm.Subscription
    account: orm.Account


class Repository(NoticeStore):
    """The queries of every use case; the notice outbox's are in `NoticeStore`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ledger: list[dict[str, object]] = []

    def add(self, row: orm.Base) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def append_ledger(self, row: dict[str, object]) -> None:
        """A ledger row (columns of `orm.LedgerEntry`), written by `write_ledger`. Nothing
        reads a row back as an object, so a change's rows go in one statement, not one each."""
        self._ledger.append(row)

    def write_ledger(self) -> None:
        """The rows appended so far, in order; the rest of the transaction first, since they
        may name an invoice just added."""
        self.session.flush()
        if self._ledger:
            rows, self._ledger = self._ledger, []
            # Core's executemany: the ORM's bulk insert would split the rows by their nulls.
            self.session.execute(insert(LEDGER), rows)

    # accounts and subscriptions

    def account(self, team_id: str, enterprise_id: str) -> orm.Account | None:
        key = {"team_id": team_id, "enterprise_id": enterprise_id}
        return self.session.scalars(_ACCOUNT, key).one_or_none()

    def account_by_id(self, account_id: int) -> orm.Account:
        return self.session.scalars(_ACCOUNT_BY_ID, {"account_id": account_id}).one()

    def accounts(self, team_id: str | None = None) -> Iterator[orm.Account]:
        query = select(orm.Account).order_by(orm.Account.id)
        if team_id is not None:
            query = query.where(orm.Account.team_id == team_id)
        return iter(self.session.scalars(query.execution_options(yield_per=500)))

    def account_with_subscription(
        self, team_id: str, enterprise_id: str
    ) -> tuple[orm.Account, orm.Subscription] | None:
        key = {"team_id": team_id, "enterprise_id": enterprise_id}
        row = self.session.execute(_ACCOUNT_WITH_SUBSCRIPTION, key).one_or_none()
        return None if row is None else (row[0], row[1])

    def lock_subscription_of(self, team_id: str, enterprise_id: str) -> orm.Subscription | None:
        """The account's subscription, locked: every change takes this lock first, so changes
        to one account queue up in order."""
        key = {"team_id": team_id, "enterprise_id": enterprise_id}
        return self.session.scalars(_LOCKED_SUBSCRIPTION_BY_KEY, key).one_or_none()

    def subscription(self, account_id: int, *, lock: bool = False) -> orm.Subscription:
        query = _LOCKED_SUBSCRIPTION if lock else _SUBSCRIPTION
        return self.session.scalars(query, {"account_id": account_id}).one()

    def claim_due_subscription(self, now: datetime) -> Claimed | None:
        """The subscription whose next period end is the oldest one due, locked, with its
        account; rows another transaction holds are skipped so several schedulers can share
        the work."""
        return self._claim(_OLDEST_DUE_PERIOD_END, now)

    def claim_subscription_to_remind(self, now: datetime) -> Claimed | None:
        """The subscription whose reminders have waited longest, locked, with its account,
        skipping as above."""
        return self._claim(_OLDEST_DUE_REMINDERS, now)

    def _claim(self, query: Select[orm.Subscription, orm.Account], now: datetime) -> Claimed | None:
        row = self.session.execute(query, {"now": now}).one_or_none()
        return None if row is None else Claimed(row[0], row[1])

    def due_subscription(self, account_id: int, now: datetime) -> orm.Subscription | None:
        subscription = self.subscription(account_id, lock=True)
        end = subscription.current_period_end
        return subscription if end is not None and end <= now else None

    # offices, pools, assignments, roles

    def offices(self, account_id: int) -> Sequence[orm.Office]:
        return self.session.scalars(_OFFICES, {"account_id": account_id}).all()

    def pools(self, account_id: int) -> Sequence[orm.Pool]:
        return self.session.scalars(_POOLS, {"account_id": account_id}).all()

    def offices_and_pools(self, account_id: int) -> tuple[list[orm.Office], list[orm.Pool]]:
        """Both in one statement, offices oldest first, pools by office then product."""
        offices: dict[int, orm.Office] = {}
        pools = []
        for office, pool in self.session.execute(_OFFICES_AND_POOLS, {"account_id": account_id}):
            offices[office.id] = office
            if pool is not None:
                pools.append(pool)
        return list(offices.values()), pools

    def assignment(self, account_id: int, user_id: str, product_id: str) -> orm.Assignment | None:
        held = {"account_id": account_id, "user_id": user_id, "product_id": product_id}
        return self.session.scalars(_ASSIGNMENT, held).one_or_none()

    def assignments_of(self, account_id: int, user_id: str) -> Sequence[orm.Assignment]:
        held = {"account_id": account_id, "user_id": user_id}
        return self.session.scalars(_ASSIGNMENTS_OF, held).all()

    def holders(self, pool_id: int, *, after_user: str = "", limit: int = 1000) -> Sequence[str]:
        return self.session.scalars(
            select(orm.Assignment.user_id)
            .where(orm.Assignment.pool_id == pool_id, orm.Assignment.user_id > after_user)
            .order_by(orm.Assignment.user_id)
            .limit(limit)
        ).all()

    def roles_of(self, account_id: int, user_id: str) -> Sequence[orm.Role]:
        return self.session.scalars(_ROLES_OF, {"account_id": account_id, "user_id": user_id}).all()

    def roles(self, account_id: int) -> Sequence[orm.Role]:
        return self.session.scalars(
            select(orm.Role).where(orm.Role.account_id == account_id).order_by(orm.Role.id)
        ).all()

    def delete(self, row: orm.Base) -> None:
        self.session.delete(row)

    def delete_role(self, role: orm.Role) -> None:
        self.session.delete(role)

    def delete_assignment(self, assignment: orm.Assignment) -> None:
        self.session.delete(assignment)

    def delete_instance_data(self, account_id: int) -> None:
        """Offices, pools, assignments and roles go; invoices and the ledger stay."""
        for table in (orm.Assignment, orm.Role, orm.Pool, orm.Office):
            self.session.execute(delete(table).where(table.account_id == account_id))

    # money and history

    def invoices(self, account_id: int, *, limit: int, offset: int = 0) -> Sequence[orm.Invoice]:
        """Newest first, `offset` of them skipped."""
        return self.session.scalars(
            select(orm.Invoice)
            .where(orm.Invoice.account_id == account_id)
            .order_by(orm.Invoice.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()

    def unpaid_payments(self, account_id: int) -> Sequence[orm.Payment]:
        """The account's invoices whose charge has failed at least once and are not paid or
        voided, oldest first: a few rows, however long the account's history."""
        return self.session.scalars(_UNPAID, {"account_id": account_id}).all()

    def payment_of_invoice(self, account_id: int, invoice_id: int) -> orm.Payment | None:
        query = select(orm.Payment).where(
            orm.Payment.account_id == account_id, orm.Payment.invoice_id == invoice_id
        )
        return self.session.scalars(query).one_or_none()

    def count_invoices(self, account_id: int) -> int:
        query = select(func.count()).where(orm.Invoice.account_id == account_id)
        return self.session.scalar(query) or 0

    def count_ledger(self, account_id: int) -> int:
        self.write_ledger()
        query = select(func.count()).where(orm.LedgerEntry.account_id == account_id)
        return self.session.scalar(query) or 0

    def all_invoices(self, account_id: int) -> Sequence[orm.Invoice]:
        return self.session.scalars(
            select(orm.Invoice).where(orm.Invoice.account_id == account_id).order_by(orm.Invoice.id)
        ).all()

    def ledger(
        self, account_id: int, *, limit: int | None = None, offset: int = 0
    ) -> Sequence[orm.LedgerEntry]:
        """The latest `limit` entries, once the latest `offset` are skipped, oldest first."""
        self.write_ledger()
        query = (
            select(orm.LedgerEntry)
            .where(orm.LedgerEntry.account_id == account_id)
            .order_by(orm.LedgerEntry.id.desc())
            .offset(offset)
        )
        rows = self.session.scalars(query if limit is None else query.limit(limit)).all()
        return list(reversed(rows))

    def idempotency_record(self, account_id: int, key: str) -> orm.IdempotencyRecord | None:
        return self.session.scalars(
            _IDEMPOTENCY_RECORD, {"account_id": account_id, "key": key}
        ).one_or_none()
