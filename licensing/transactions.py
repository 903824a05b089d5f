"""One transaction per request: the account locked, the actor's access known, and the
idempotency key checked before anything changes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session, sessionmaker

from licensing import notices, subscriptions
from licensing.access import Access
from licensing.catalog import Catalog
from licensing.clock import Clock
from licensing.collection import Dunning
from licensing.context import Context
from licensing.db import UnitOfWork
from licensing.errors import AccountNotFound, IdempotencyConflict, QuoteExpired
from licensing.orm import Account, IdempotencyRecord, Subscription
from licensing.requests import R, Request
from licensing.schemas import SYSTEM_ACTOR, AccountKey, Actor, PeriodClosed

Value = TypeVar("Value")


@dataclass(frozen=True)
class Policy:
    max_seats: int = 10_000
    trial_days: int = 14
    # How long the amount shown on a review step can still be charged as shown.
    quote_validity: timedelta = timedelta(minutes=15)
    # How invoices are collected; None when they are records only.
    dunning: Dunning | None = None


class Transactions:
    """Opens the transaction of one request and handles idempotency keys."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        catalog: Catalog,
        clock: Clock,
        dunning: Dunning | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.catalog = catalog
        self.clock = clock
        self.dunning = dunning

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.session_factory, read_only=read_only)

    def read(self, account: AccountKey, actor: Actor, work: Callable[[Context], Value]) -> Value:
        """`work` on the account as it is now: a period that has ended is closed first."""
        while True:
            with self.unit_of_work(read_only=True) as uow:
                context = self._open(uow, account, actor, lock=False)
                if not context.period_has_ended():
                    return work(context)
            self.close_due_periods(account)

    def close_due_periods(self, account: AccountKey) -> list[PeriodClosed]:
        """Close every ended period of one account, oldest first, one transaction each."""
        closed: list[PeriodClosed] = []
        while True:
            with self.unit_of_work() as uow:
                now = self.clock.now()
                row = uow.repo.account(account.team_id, account.enterprise_id)
                subscription = uow.repo.due_subscription(row.id, now) if row else None
                if subscription is None:
                    return closed
                closed.append(subscriptions.close_period(self.internal(uow, subscription, now)))
                uow.commit()

    def change(
        self,
        account: AccountKey,
        actor: Actor,
        request: Request[R],
        work: Callable[[Context], R],
        idempotency_key: str | None = None,
    ) -> R:
        """Run `work` on the locked account; under a key already used for this request,
        return the stored result instead, and refuse the key for any other request."""
        while True:
            with self.unit_of_work() as uow:
                context = self._open(uow, account, actor, lock=True)
                if not context.period_has_ended():
                    return self._apply(uow, context, request, work, idempotency_key)
                self._close_ended_periods(uow, context)

    def _apply(
        self,
        uow: UnitOfWork,
        context: Context,
        request: Request[R],
        work: Callable[[Context], R],
        idempotency_key: str | None,
    ) -> R:
        fingerprint = _fingerprint(request)
        if idempotency_key is not None:
            record = uow.repo.idempotency_record(context.account.id, idempotency_key)
            if record is not None:
                if record.request_hash != fingerprint:
                    raise IdempotencyConflict()
                stored = request.result_type().model_validate_json(record.response)
                return cast(R, stored)
        result = work(context)
        if idempotency_key is not None:
            notices.activity(context, request.operation, idempotency_key, result)
            uow.repo.add(
                IdempotencyRecord(
                    account_id=context.account.id,
                    key=idempotency_key,
                    operation=request.operation,
                    request_hash=fingerprint,
                    response=result.model_dump_json(),
                    created_at=context.now,
                )
            )
        uow.commit()
        return result

    def _close_ended_periods(self, uow: UnitOfWork, context: Context) -> None:
        """Close, on the locked account, every period that ended before this request came
        (the sweep may not have run yet), and commit: the request then runs on the account as
        it is now, in a transaction of its own, so that refusing it keeps the closings."""
        while context.period_has_ended():
            subscriptions.close_period(self.internal(uow, context.subscription, context.now))
        uow.commit()

    def internal(
        self,
        uow: UnitOfWork,
        subscription: Subscription,
        now: datetime | None = None,
        *,
        account: Account | None = None,
    ) -> Context:
        """The context of licensebot's own work on a locked account (`account`, when it was
        read with the lock)."""
        return Context(
            uow=uow,
            catalog=self.catalog,
            account=account or uow.repo.account_by_id(subscription.account_id),
            subscription=subscription,
            access=Access(company_admin=True, office_ids=frozenset()),
            actor_id=SYSTEM_ACTOR,
            now=now or self.clock.now(),
            dunning=self.dunning,
        )

    def _open(self, uow: UnitOfWork, key: AccountKey, actor: Actor, *, lock: bool) -> Context:
        if lock:
            subscription = uow.repo.lock_subscription_of(key.team_id, key.enterprise_id)
            # The account is read after the lock, so it shows the changes that queued before us.
            found = subscription and (uow.repo.account_by_id(subscription.account_id), subscription)
        else:
            found = uow.repo.account_with_subscription(key.team_id, key.enterprise_id)
        if not found:
            raise AccountNotFound(key.team_id)
        account, subscription = found
        roles = [] if actor.external else uow.repo.roles_of(account.id, actor.user_id)
        return Context(
            uow=uow,
            catalog=self.catalog,
            account=account,
            subscription=subscription,
            access=Access.of(actor.workspace_admin, ((r.role, r.office_id) for r in roles)),
            actor_id=actor.user_id,
            now=self.clock.now(),
            dunning=self.dunning,
        )


def _fingerprint(request: Request[Any]) -> str:
    canonical = f"{request.operation}:{request.model_dump_json()}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_priced_at(
    priced_at: datetime | None, now: datetime, period_start: datetime, validity: timedelta
) -> datetime:
    """The moment to prorate from: `now`, or the moment a quote was shown if it is recent
    and in this period, so the amount charged is the amount the admin confirmed."""
    if priced_at is None:
        return now
    if not (now - validity <= priced_at <= now and priced_at >= period_start):
        raise QuoteExpired()
    return priced_at
