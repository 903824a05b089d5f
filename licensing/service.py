"""The public API of licensing: one method per use case, one transaction each.

Money-moving methods take an `idempotency_key`; the same key again returns the first result
and changes nothing, and the same key with other parameters is refused. Each `quote_*`
method computes what its twin would do without changing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from licensing import admin, notices, orm, outbox, people, reports, seats, subscriptions
from licensing.access import Access
from licensing.calendar import Interval, local_date
from licensing.catalog import Catalog
from licensing.clock import Clock
from licensing.context import Context
from licensing.db import UnitOfWork
from licensing.errors import SeatsAlreadyGone
from licensing.export import AccountExport, export_account
from licensing.model import RoleName
from licensing.reports import invoice_view, ledger_view
from licensing.schemas import (
    SYSTEM_ACTOR,
    AccountKey,
    AccountStatus,
    Actor,
    AssignmentChange,
    Delivery,
    InvoiceView,
    LedgerView,
    PeriodClosed,
    PoolHolders,
    PoolTarget,
    PurchaseQuote,
    RoleView,
    SeatChange,
    SubscribeQuote,
    SubscriptionChange,
    SubscriptionSummary,
)
from licensing.transactions import Policy, Transactions, check_priced_at


class LicensingService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        catalog: Catalog,
        clock: Clock,
        policy: Policy | None = None,
    ) -> None:
        self.catalog = catalog
        self.clock = clock
        self.policy = policy or Policy()
        self._tx = Transactions(session_factory, catalog, clock)

    # accounts

    def install(
        self, account: AccountKey, installer_id: str, time_zone: str = "UTC"
    ) -> SubscriptionSummary:
        """Open the account on a free trial, or, if it exists, make the installer a company admin."""
        admin.check_time_zone(time_zone)
        try:
            return self._install(account, installer_id, time_zone)
        except IntegrityError:  # another process opened the same account a moment ago
            return self._install(account, installer_id, time_zone)

    def _install(
        self, account: AccountKey, installer_id: str, time_zone: str
    ) -> SubscriptionSummary:
        with self._tx.unit_of_work() as uow:
            now, repo = self.clock.now(), uow.repo
            row = repo.account(account.team_id, account.enterprise_id)
            if row is None:
                trial_days = self.policy.trial_days
                row = subscriptions.open_account(
                    repo, account, installer_id, now, trial_days, time_zone
                )
            elif RoleName.COMPANY_ADMIN not in {
                r.role for r in repo.roles_of(row.id, installer_id)
            }:
                repo.add(
                    orm.Role(account_id=row.id, user_id=installer_id, role=RoleName.COMPANY_ADMIN)
                )
            repo.flush()
            summary = reports.subscription_summary(row, repo.subscription(row.id))
            uow.commit()
            return summary

    def office_names(self, account: AccountKey, actor: Actor) -> list[str]:
        """Every office of the account, so requests can name one; seeing names needs no role."""
        return self._tx.read(account, actor, lambda c: [o.name for o in c.offices()])

    def status(self, account: AccountKey, actor: Actor) -> AccountStatus:
        return self._tx.read(account, actor, reports.account_status)

    # seats

    def quote_purchase(
        self, account: AccountKey, actor: Actor, count: int, product: str, office: str | None = None
    ) -> PurchaseQuote:
        return self._tx.read(
            account,
            actor,
            lambda c: seats.quote_purchase(c, count, product, office, self.policy.max_seats, c.now)[
                1
            ],
        )

    def purchase(
        self,
        account: AccountKey,
        actor: Actor,
        count: int,
        product: str,
        office: str | None = None,
        *,
        idempotency_key: str,
        priced_at: datetime | None = None,
    ) -> PurchaseQuote:
        def work(c: Context) -> PurchaseQuote:
            at = check_priced_at(
                priced_at, c.now, c.subscription.current_period_start, self.policy.quote_validity
            )
            change, quote = seats.quote_purchase(
                c, count, product, office, self.policy.max_seats, at
            )
            return seats.purchase(c, change, quote)

        params = {"count": count, "product": product, "office": office, "priced_at": priced_at}
        return self._tx.change(
            account,
            actor,
            work,
            result_type=PurchaseQuote,
            operation="purchase",
            params=params,
            idempotency_key=idempotency_key,
        )

    def quote_removal(
        self, account: AccountKey, actor: Actor, count: int, product: str, office: str | None = None
    ) -> SeatChange:
        return self._tx.read(
            account,
            actor,
            lambda c: seats.plan_removal(c, count, product, office, self.policy.max_seats)[1],
        )

    def schedule_removal(
        self,
        account: AccountKey,
        actor: Actor,
        count: int,
        product: str,
        office: str | None = None,
        *,
        idempotency_key: str,
    ) -> SeatChange:
        def work(c: Context) -> SeatChange:
            change, result = seats.plan_removal(c, count, product, office, self.policy.max_seats)
            event = "trial_seats_removed" if result.immediate else "removal_scheduled"
            applied = seats.apply_seat_change(c, change, result, event)
            notices.write_due_reminders(c)  # inside the lead time, announce it now
            return applied

        params = {"count": count, "product": product, "office": office}
        return self._tx.change(
            account,
            actor,
            work,
            result_type=SeatChange,
            operation="remove",
            params=params,
            idempotency_key=idempotency_key,
        )

    def quote_restore(
        self, account: AccountKey, actor: Actor, count: int, product: str, office: str | None = None
    ) -> SeatChange:
        return self._tx.read(
            account,
            actor,
            lambda c: seats.plan_restore(c, count, product, office, self.policy.max_seats)[1],
        )

    def restore(
        self,
        account: AccountKey,
        actor: Actor,
        count: int,
        product: str,
        office: str | None = None,
        *,
        idempotency_key: str,
        period_end: datetime | None = None,
    ) -> SeatChange:
        """`period_end`, from a notice's button, refuses the restore once that period ended."""

        def work(c: Context) -> SeatChange:
            if period_end is not None and c.subscription.current_period_end != period_end:
                raise SeatsAlreadyGone(local_date(period_end, c.tz))
            change, result = seats.plan_restore(c, count, product, office, self.policy.max_seats)
            return seats.apply_seat_change(c, change, result, "seats_restored")

        params = {"count": count, "product": product, "office": office}
        return self._tx.change(
            account,
            actor,
            work,
            result_type=SeatChange,
            operation="restore",
            params=params,
            idempotency_key=idempotency_key,
        )

    # people

    def assign(
        self,
        account: AccountKey,
        actor: Actor,
        user_id: str,
        product: str,
        office: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> AssignmentChange:
        params = {"user": user_id, "product": product, "office": office}
        return self._tx.change(
            account,
            actor,
            lambda c: people.assign(c, user_id, product, office),
            result_type=AssignmentChange,
            operation="assign",
            params=params,
            idempotency_key=idempotency_key,
        )

    def preview_revoke(
        self, account: AccountKey, actor: Actor, user_id: str, product: str
    ) -> AssignmentChange:
        return self._tx.read(
            account, actor, lambda c: people.revoke(c, user_id, product, dry_run=True)
        )

    def revoke(
        self,
        account: AccountKey,
        actor: Actor,
        user_id: str,
        product: str,
        *,
        idempotency_key: str | None = None,
    ) -> AssignmentChange:
        params = {"user": user_id, "product": product}
        return self._tx.change(
            account,
            actor,
            lambda c: people.revoke(c, user_id, product),
            result_type=AssignmentChange,
            operation="revoke",
            params=params,
            idempotency_key=idempotency_key,
        )

    def users(
        self,
        account: AccountKey,
        actor: Actor,
        product: str | None = None,
        office: str | None = None,
        *,
        limit: int = 200,
    ) -> list[PoolHolders]:
        return self._tx.read(account, actor, lambda c: people.holders(c, product, office, limit))

    # subscription

    def set_billing_details(self, account: AccountKey, actor: Actor, details: str) -> None:
        def work(c: Context) -> SubscriptionChange:
            c.access.require_company_admin("change billing details")
            c.account.billing_details = details.strip()[:200] or None
            c.record("billing_details_updated")
            return subscriptions.subscription_change(c)

        self._tx.change(
            account, actor, work, result_type=SubscriptionChange, operation="billing", params={}
        )

    def quote_subscribe(
        self,
        account: AccountKey,
        actor: Actor,
        interval: Interval,
        targets: list[PoolTarget] | None = None,
    ) -> SubscribeQuote:
        return self._tx.read(
            account,
            actor,
            lambda c: subscriptions.quote_subscribe(
                c, interval, targets or [], self.policy.max_seats
            )[1],
        )

    def subscribe(
        self,
        account: AccountKey,
        actor: Actor,
        interval: Interval,
        targets: list[PoolTarget] | None = None,
        *,
        idempotency_key: str,
    ) -> SubscribeQuote:
        def work(c: Context) -> SubscribeQuote:
            counts, quote = subscriptions.quote_subscribe(
                c, interval, targets or [], self.policy.max_seats
            )
            return subscriptions.subscribe(c, interval, counts, quote)

        params = {"interval": interval, "targets": [t.model_dump() for t in targets or []]}
        return self._tx.change(
            account,
            actor,
            work,
            result_type=SubscribeQuote,
            operation="subscribe",
            params=params,
            idempotency_key=idempotency_key,
        )

    def cancel(
        self, account: AccountKey, actor: Actor, *, idempotency_key: str
    ) -> SubscriptionChange:
        return self._tx.change(
            account,
            actor,
            subscriptions.cancel,
            result_type=SubscriptionChange,
            operation="cancel",
            params={},
            idempotency_key=idempotency_key,
        )

    def reactivate(
        self, account: AccountKey, actor: Actor, *, idempotency_key: str
    ) -> SubscriptionChange:
        return self._tx.change(
            account,
            actor,
            subscriptions.reactivate,
            result_type=SubscriptionChange,
            operation="reactivate",
            params={},
            idempotency_key=idempotency_key,
        )

    # period ends

    def close_next_due_period(self) -> PeriodClosed | None:
        """Close the oldest due period of any account, in its own transaction; None when
        nothing is due. Several processes may call this at once."""
        with self._tx.unit_of_work() as uow:
            now = self.clock.now()
            subscription = uow.repo.claim_due_subscription(now)
            if subscription is None:
                return None
            result = self._close(uow, subscription, now)
            uow.commit()
            return result

    def write_next_due_reminders(self) -> bool:
        """Write the reminders of one account whose lead time has come, in its own transaction;
        False when none is due. Several processes may call this at once."""
        with self._tx.unit_of_work() as uow:
            now = self.clock.now()
            subscription = uow.repo.claim_subscription_to_remind(now)
            if subscription is None:
                return False
            notices.write_due_reminders(self._internal(uow, subscription, now))
            uow.commit()
            return True

    def close_due_periods(self, account: AccountKey) -> list[PeriodClosed]:
        """Close every due period of one account, oldest first, one transaction each."""
        closed: list[PeriodClosed] = []
        while True:
            with self._tx.unit_of_work() as uow:
                now = self.clock.now()
                row = uow.repo.account(account.team_id, account.enterprise_id)
                subscription = uow.repo.due_subscription(row.id, now) if row else None
                if subscription is None:
                    return closed
                closed.append(self._close(uow, subscription, now))
                uow.commit()

    def _close(
        self, uow: UnitOfWork, subscription: orm.Subscription, now: datetime
    ) -> PeriodClosed:
        return subscriptions.close_period(self._internal(uow, subscription, now))

    def _internal(self, uow: UnitOfWork, subscription: orm.Subscription, now: datetime) -> Context:
        """The context of licensebot's own work on a locked account."""
        return Context(
            uow=uow,
            catalog=self.catalog,
            account=uow.repo.account_by_id(subscription.account_id),
            subscription=subscription,
            access=Access(company_admin=True, office_ids=frozenset()),
            actor_id=SYSTEM_ACTOR,
            now=now,
        )

    # the notice outbox (times here are real time; see licensing.outbox)

    def claim_deliveries(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        with self._tx.unit_of_work() as uow:
            claimed = outbox.claim(uow.repo, now, limit, lease)
            uow.commit()
            return claimed

    def delivery_sent(self, delivery_id: int, channel: str, ts: str) -> None:
        with self._tx.unit_of_work() as uow:
            outbox.sent(uow.repo, delivery_id, channel, ts)
            uow.commit()

    def delivery_retry(
        self, delivery_id: int, at: datetime, error: str, *, maybe_posted: bool
    ) -> bool:
        """Schedule another attempt; False once the retries ran out (then call delivery_failed)."""
        with self._tx.unit_of_work() as uow:
            scheduled = outbox.retry(uow.repo, delivery_id, at, error, maybe_posted=maybe_posted)
            uow.commit()
            return scheduled

    def delivery_failed(self, delivery_id: int, error: str) -> None:
        with self._tx.unit_of_work() as uow:
            account_id = uow.repo.delivery(delivery_id).account_id
            subscription = uow.repo.subscription(account_id, lock=True)
            outbox.failed(self._internal(uow, subscription, self.clock.now()), delivery_id, error)
            uow.commit()

    # roles, offices and settings

    def grant_role(
        self,
        account: AccountKey,
        actor: Actor,
        user_id: str,
        role: RoleName,
        office: str | None = None,
    ) -> RoleView:
        return self._tx.change(
            account,
            actor,
            lambda c: admin.grant_role(c, user_id, role, office),
            result_type=RoleView,
            operation="grant_role",
            params={},
        )

    def revoke_role(
        self,
        account: AccountKey,
        actor: Actor,
        user_id: str,
        role: RoleName,
        office: str | None = None,
    ) -> RoleView:
        return self._tx.change(
            account,
            actor,
            lambda c: admin.revoke_role(c, user_id, role, office),
            result_type=RoleView,
            operation="revoke_role",
            params={},
        )

    def roles(self, account: AccountKey, actor: Actor) -> list[RoleView]:
        return self._tx.read(account, actor, admin.list_roles)

    def add_office(self, account: AccountKey, actor: Actor, name: str) -> AccountStatus:
        return self._setting(account, actor, "add_office", lambda c: admin.add_office(c, name))

    def set_notice_channel(
        self, account: AccountKey, actor: Actor, channel_id: str
    ) -> AccountStatus:
        return self._setting(
            account, actor, "notice_channel", lambda c: admin.set_notice_channel(c, channel_id)
        )

    def set_notice_lead(self, account: AccountKey, actor: Actor, days: int) -> AccountStatus:
        return self._setting(
            account, actor, "notice_lead", lambda c: admin.set_notice_lead(c, days)
        )

    def set_time_zone(self, account: AccountKey, actor: Actor, time_zone: str) -> AccountStatus:
        return self._setting(
            account, actor, "time_zone", lambda c: admin.set_time_zone(c, time_zone)
        )

    def _setting(
        self, account: AccountKey, actor: Actor, operation: str, apply: Callable[[Context], None]
    ) -> AccountStatus:
        def work(c: Context) -> AccountStatus:
            apply(c)
            return reports.account_status(c)

        return self._tx.change(
            account, actor, work, result_type=AccountStatus, operation=operation, params={}
        )

    # history

    def invoices(self, account: AccountKey, actor: Actor, *, limit: int = 10) -> list[InvoiceView]:
        def work(c: Context) -> list[InvoiceView]:
            c.access.require_company_admin("see invoices")
            return [invoice_view(row) for row in c.repo.invoices(c.account.id, limit=limit)]

        return self._tx.read(account, actor, work)

    def audit(self, account: AccountKey, actor: Actor, *, limit: int = 50) -> list[LedgerView]:
        def work(c: Context) -> list[LedgerView]:
            c.access.require_company_admin("see the audit log")
            return [ledger_view(row) for row in c.repo.ledger(c.account.id, limit=limit)]

        return self._tx.read(account, actor, work)

    def export(self, team_id: str | None = None) -> Iterator[AccountExport]:
        """Everything stored of one or all accounts, for operators (not a Slack request)."""
        with self._tx.unit_of_work(read_only=True) as uow:
            for account in list(uow.repo.accounts(team_id)):
                yield export_account(uow.repo, account)
