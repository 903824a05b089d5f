"""Queries, each on an index. PostgreSQL takes row locks where asked; SQLite holds the
database write lock for the whole transaction instead (see `db.py`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, Update, bindparam, delete, func, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from licensing import orm

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


def _oldest_due(due_at: InstrumentedAttribute[datetime | None]) -> Select[orm.Subscription]:
    return (
        select(orm.Subscription)
        .where(due_at <= bindparam("now"))
        .order_by(due_at, orm.Subscription.account_id)
        .limit(1)
        .with_for_update(skip_locked=True)
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
_ASSIGNMENTS_OF = select(orm.Assignment).where(
    orm.Assignment.account_id == bindparam("account_id"),
    orm.Assignment.user_id == bindparam("user_id"),
)
_ASSIGNMENT = _ASSIGNMENTS_OF.where(orm.Assignment.product_id == bindparam("product_id"))
_ROLES_OF = select(orm.Role).where(
    orm.Role.account_id == bindparam("account_id"), orm.Role.user_id == bindparam("user_id")
)
_IDEMPOTENCY_RECORD = select(orm.IdempotencyRecord).where(
    orm.IdempotencyRecord.account_id == bindparam("account_id"),
    orm.IdempotencyRecord.key == bindparam("key"),
)
_NOTICE = select(orm.Notice).where(
    orm.Notice.account_id == bindparam("account_id"), orm.Notice.key == bindparam("key")
)


_D = orm.NoticeDelivery
_EARLIER = aliased(orm.NoticeDelivery)
_HELD_BEFORE = (
    select(_EARLIER.id)
    .where(
        _EARLIER.target == _D.target,
        _EARLIER.state == "pending",
        _EARLIER.id < _D.id,
        _EARLIER.next_attempt_at > bindparam("now"),
    )
    .exists()
)
CLAIMED_COLUMNS = (
    _D.id,
    _D.target,
    _D.lane,
    _D.attempts,
    _D.maybe_posted,
    _D.first_attempt_at,
    _D.next_attempt_at,
    _D.action,
    _D.channel,
    _D.ts,
    orm.Notice.id.label("notice_id"),
    orm.Notice.payload,
    orm.Account.team_id,
    orm.Account.enterprise_id,
    orm.Account.time_zone,
)
_CLAIMABLE = (
    select(*CLAIMED_COLUMNS)
    .join(orm.Notice, orm.Notice.id == _D.notice_id)
    .join(orm.Account, orm.Account.id == _D.account_id)
    .where(_D.state == "pending", _D.next_attempt_at <= bindparam("now"), ~_HELD_BEFORE)
)
# The rows to claim are chosen first, narrow (an id each), so that a plan made without
# statistics (a period end's backlog, just written) sorts ids, not notices.
_DUE_IDS = (
    select(_D.id)
    .where(_D.state == "pending", _D.next_attempt_at <= bindparam("now"), ~_HELD_BEFORE)
    .order_by(_D.lane, _D.next_attempt_at, _D.id)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)
_DUE_DELIVERIES = (
    select(*CLAIMED_COLUMNS)
    .join(orm.Notice, orm.Notice.id == _D.notice_id)
    .join(orm.Account, orm.Account.id == _D.account_id)
    .where(_D.id.in_(_DUE_IDS))
)
_DUE_DELIVERIES_TO = (
    _CLAIMABLE.where(
        _D.target.in_(bindparam("targets", expanding=True)),
        _D.id.not_in(bindparam("taken", expanding=True)),
    )
    .order_by(_D.id)
    .with_for_update(of=_D, skip_locked=True)
)
_TAKE_DELIVERIES = (
    update(_D)
    .where(_D.id.in_(bindparam("ids", expanding=True)))
    .values(
        attempts=_D.attempts + 1,
        maybe_posted=True,
        first_attempt_at=func.coalesce(
            _D.first_attempt_at, bindparam("now", type_=orm.UTCDateTime())
        ),
        next_attempt_at=bindparam("until", type_=orm.UTCDateTime()),
    )
    .execution_options(synchronize_session=False)
)
_HOLD_DELIVERIES = (
    update(_D)
    .where(_D.id.in_(bindparam("ids", expanding=True)), _D.state == "pending")
    .values(next_attempt_at=bindparam("until", type_=orm.UTCDateTime()))
    .execution_options(synchronize_session=False)
)
_BY_ID = _D.id == bindparam("b_id")
DELIVERIES_SENT = (
    update(_D)
    .where(_BY_ID)
    .values(
        state="sent",
        channel=bindparam("b_channel"),
        ts=bindparam("b_ts"),
        maybe_posted=False,
        error=None,
    )
    .execution_options(synchronize_session=False)
)
DELIVERIES_RETRIED = (
    update(_D)
    .where(_BY_ID)
    .values(
        next_attempt_at=bindparam("b_at", type_=orm.UTCDateTime()),
        error=bindparam("b_error"),
        maybe_posted=bindparam("b_maybe_posted"),
        lane=0,
    )
    .execution_options(synchronize_session=False)
)
DELIVERIES_GIVEN_BACK = (  # unattempted: as they were before the claim
    update(_D)
    .where(_BY_ID)
    .values(
        attempts=_D.attempts - 1,
        maybe_posted=bindparam("b_maybe_posted"),
        first_attempt_at=bindparam("b_first", type_=orm.UTCDateTime()),
        next_attempt_at=bindparam("b_due", type_=orm.UTCDateTime()),
    )
    .execution_options(synchronize_session=False)
)
# Any constant shared by every licensebot process: the claims' turn, in PostgreSQL's
# transaction-level advisory locks.
_CLAIM_TURN = select(func.pg_advisory_xact_lock(7_366_201_001))
_INDEX_SCANS_ONLY = text("SET LOCAL enable_bitmapscan = off")


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: orm.Base) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

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

    def claim_due_subscription(self, now: datetime) -> orm.Subscription | None:
        """The subscription whose next period end is the oldest one due, locked; rows another
        transaction holds are skipped so several schedulers can share the work."""
        return self.session.scalars(_OLDEST_DUE_PERIOD_END, {"now": now}).one_or_none()

    def claim_subscription_to_remind(self, now: datetime) -> orm.Subscription | None:
        """The subscription whose reminders have waited longest, locked, skipping as above."""
        return self.session.scalars(_OLDEST_DUE_REMINDERS, {"now": now}).one_or_none()

    def due_subscription(self, account_id: int, now: datetime) -> orm.Subscription | None:
        subscription = self.subscription(account_id, lock=True)
        end = subscription.current_period_end
        return subscription if end is not None and end <= now else None

    # offices, pools, assignments, roles

    def offices(self, account_id: int) -> Sequence[orm.Office]:
        return self.session.scalars(_OFFICES, {"account_id": account_id}).all()

    def pools(self, account_id: int) -> Sequence[orm.Pool]:
        return self.session.scalars(_POOLS, {"account_id": account_id}).all()

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

    def payments_of(self, account_id: int) -> Sequence[orm.Payment]:
        query = select(orm.Payment).where(orm.Payment.account_id == account_id)
        return self.session.scalars(query.order_by(orm.Payment.id)).all()

    def payment_of_invoice(self, account_id: int, invoice_id: int) -> orm.Payment | None:
        query = select(orm.Payment).where(
            orm.Payment.account_id == account_id, orm.Payment.invoice_id == invoice_id
        )
        return self.session.scalars(query).one_or_none()

    def count_invoices(self, account_id: int) -> int:
        query = select(func.count()).where(orm.Invoice.account_id == account_id)
        return self.session.scalar(query) or 0

    def count_ledger(self, account_id: int) -> int:
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

    # notices

    def notice(self, account_id: int, key: str) -> orm.Notice | None:
        return self.session.scalars(_NOTICE, {"account_id": account_id, "key": key}).one_or_none()

    def lock_notices(self, account_id: int, keys: Collection[str]) -> Sequence[orm.Notice]:
        """The account's notices of these keys, locked, oldest first."""
        query = select(orm.Notice).where(
            orm.Notice.account_id == account_id, orm.Notice.key.in_(list(keys))
        )
        return self.session.scalars(query.order_by(orm.Notice.id).with_for_update()).all()

    def posts_of_kinds(
        self, delivery_ids: Collection[int], kinds: Collection[str]
    ) -> Sequence[tuple[orm.NoticeDelivery, orm.Notice]]:
        """Those of the deliveries that post a notice of one of `kinds`, with it, the notices
        locked in the order of their ids (so two transactions never wait for each other) and
        read as they are once their locks are had."""
        query = (
            select(orm.NoticeDelivery, orm.Notice)
            .join(orm.Notice, orm.Notice.id == orm.NoticeDelivery.notice_id)
            .where(
                orm.NoticeDelivery.id.in_(list(delivery_ids)),
                orm.NoticeDelivery.action == "post",
                orm.Notice.kind.in_(list(kinds)),
            )
            .order_by(orm.Notice.id, orm.NoticeDelivery.id)
            .with_for_update(of=orm.Notice)
            .execution_options(populate_existing=True)
        )
        return [(delivery, notice) for delivery, notice in self.session.execute(query)]

    def claim_deliveries(
        self, now: datetime, limit: int
    ) -> Sequence[Any]:  # rows of CLAIMED_COLUMNS
        """Up to `limit` deliveries whose time has come, the prompt lane first, then the oldest,
        locked, with their notice and account (`CLAIMED_COLUMNS`). A delivery is left while an
        earlier one to the same place is held (by a dispatcher, or waiting to be retried), and
        rows another dispatcher is claiming are skipped."""
        return self.session.execute(_DUE_DELIVERIES, {"now": now, "limit": limit}).all()

    def claim_deliveries_to(
        self, now: datetime, targets: Collection[str], taken: Collection[int]
    ) -> Sequence[Any]:  # rows of CLAIMED_COLUMNS
        """The other due deliveries to `targets`, as `claim_deliveries` gives them."""
        params = {"now": now, "targets": list(targets), "taken": list(taken)}
        return self.session.execute(_DUE_DELIVERIES_TO, params).all()

    def take_deliveries(self, ids: Collection[int], now: datetime, until: datetime) -> None:
        """Mark claimed deliveries as being attempted (and possibly posted) until `until`."""
        self.session.execute(_TAKE_DELIVERIES, {"ids": list(ids), "now": now, "until": until})

    def hold_deliveries(self, ids: Collection[int], until: datetime) -> None:
        """Extend the claim of deliveries still pending."""
        self.session.execute(_HOLD_DELIVERIES, {"ids": list(ids), "until": until})

    def update_deliveries(self, statement: Update, rows: Sequence[dict[str, Any]]) -> None:
        """Run one of the `DELIVERIES_*` updates for many deliveries at once."""
        if rows:  # executemany, which the ORM runs only without a WHERE of its own
            self.session.connection().execute(statement, list(rows))

    def begin_claim(self) -> None:
        """On PostgreSQL (SQLite's write lock does as much): wait for claims in other
        transactions to end, so this one sees which places they hold; and read the backlog
        with an index scan in order, which stops at the limit and learns to skip the row
        versions a drain leaves behind. A period end's backlog is new, so the planner has no
        statistics for it and would pick a bitmap scan, which reads them all, every claim."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(_CLAIM_TURN)
            self.session.execute(_INDEX_SCANS_ONLY)

    def pending_deliveries(
        self, account_id: int, target: str | None = None
    ) -> Sequence[orm.NoticeDelivery]:
        """The account's deliveries still to be made (to `target` only, if given)."""
        query = select(orm.NoticeDelivery).where(
            orm.NoticeDelivery.account_id == account_id, orm.NoticeDelivery.state == "pending"
        )
        if target is not None:
            query = query.where(orm.NoticeDelivery.target == target)
        return self.session.scalars(query).all()

    def deliveries_of(self, notice_id: int) -> Sequence[orm.NoticeDelivery]:
        """Its posts and closes."""
        return self.session.scalars(
            select(orm.NoticeDelivery).where(orm.NoticeDelivery.notice_id == notice_id)
        ).all()

    def delivery(self, delivery_id: int, *, lock: bool = True) -> orm.NoticeDelivery:
        query = select(orm.NoticeDelivery).where(orm.NoticeDelivery.id == delivery_id)
        return self.session.scalars(query.with_for_update() if lock else query).one()
