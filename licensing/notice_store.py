"""The notice outbox's queries: notices by key, and the claims and updates of their
deliveries. Part of `Repository`; apart because the outbox's statements are many."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Update, bindparam, func, select, text, update
from sqlalchemy.orm import Session, aliased

from licensing import orm

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


class NoticeStore:
    session: Session

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
