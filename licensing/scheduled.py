"""licensebot's own work, for the scheduler: closing the periods that are due, writing the
reminders whose lead time has come, and the notice outbox. Each step is one transaction that
several processes may run at once: each claims what it works on with a row lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from licensing import charging, notices, orm, outbox, subscriptions
from licensing.catalog import Catalog
from licensing.charging import ChargeJob
from licensing.clock import Clock
from licensing.collection import Dunning
from licensing.context import Context
from licensing.db import UnitOfWork
from licensing.payments import Collection
from licensing.schemas import AccountKey, Delivery, PeriodClosed
from licensing.transactions import Transactions


class ScheduledWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        catalog: Catalog,
        clock: Clock,
        dunning: Dunning | None = None,
    ) -> None:
        self.clock = clock
        self._tx = Transactions(session_factory, catalog, clock, dunning)

    def close_next_due_period(self) -> PeriodClosed | None:
        """Close the oldest due period of any account, in its own transaction; None when
        nothing is due. Several processes may call this at once."""
        with self._tx.unit_of_work() as uow:
            now = self.clock.now()
            claimed = uow.repo.claim_due_subscription(now)
            if claimed is None:
                return None
            context = self._tx.internal(uow, claimed.subscription, now, account=claimed.account)
            result = subscriptions.close_period(context)
            uow.commit()
            return result

    def write_next_due_reminders(self) -> bool:
        """Write the reminders of one account whose lead time has come, in its own transaction;
        False when none is due. Several processes may call this at once."""
        with self._tx.unit_of_work() as uow:
            now = self.clock.now()
            claimed = uow.repo.claim_subscription_to_remind(now)
            if claimed is None:
                return False
            subscription, account = claimed
            notices.write_due_reminders(self._tx.internal(uow, subscription, now, account=account))
            uow.commit()
            return True

    def close_due_periods(self, account: AccountKey) -> list[PeriodClosed]:
        """Close every due period of one account, oldest first, one transaction each."""
        return self._tx.close_due_periods(account)

    # the notice outbox (times here are real time; see licensing.outbox)

    def claim_deliveries(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        with self._tx.unit_of_work() as uow:
            claimed = outbox.claim(uow.repo, now, limit, lease)
            uow.commit()
            return claimed

    def hold_deliveries(self, ids: Sequence[int], until: datetime) -> None:
        """Extend the claim of deliveries still in hand, so no other dispatcher takes them."""
        with self._tx.unit_of_work() as uow:
            uow.repo.hold_deliveries(ids, until)
            uow.commit()

    def record_deliveries(self, outcomes: outbox.Outcomes) -> None:
        """Record what became of many deliveries, in one transaction."""
        if not outcomes:
            return
        with self._tx.unit_of_work() as uow:
            outbox.record(uow.repo, outcomes)
            uow.commit()

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
            outbox.failed(self._tx.internal(uow, subscription), delivery_id, error)
            uow.commit()

    def delivery_undeliverable(self, delivery_id: int, reason: str) -> None:
        """Give up on a delivery to a workspace licensebot can no longer reach at all."""
        self.deliveries_undeliverable([delivery_id], reason)

    def deliveries_undeliverable(self, delivery_ids: Sequence[int], reason: str) -> None:
        """Give up on deliveries to workspaces licensebot can no longer reach, one transaction
        and one ledger line per account."""
        by_account: dict[int, list[int]] = {}
        with self._tx.unit_of_work(read_only=True) as uow:
            for delivery_id in delivery_ids:
                account_id = uow.repo.delivery(delivery_id, lock=False).account_id
                by_account.setdefault(account_id, []).append(delivery_id)
        for account_id, ids in sorted(by_account.items()):
            with self._tx.unit_of_work() as uow:
                subscription = uow.repo.subscription(account_id, lock=True)
                deliveries = [uow.repo.delivery(i) for i in ids]
                outbox.undeliverable(self._tx.internal(uow, subscription), deliveries, reason)
                uow.commit()

    # the payment outbox

    def claim_charges(self, real_now: datetime, limit: int, lease: timedelta) -> list[ChargeJob]:
        """Invoices due to be charged now, each held for `lease` of real time."""
        with self._tx.unit_of_work() as uow:
            jobs = charging.claim(
                uow.session, self._tx.catalog, self.clock.now(), real_now, limit, lease
            )
            uow.commit()
            return jobs

    def record_collection(self, job: ChargeJob, collection: Collection | None) -> None:
        """What an attempt came to, in one transaction with its ledger rows and notices;
        None when there was no customer to charge."""
        with self._tx.unit_of_work() as uow:
            context = self._payment_context(uow, job.payment_id)
            if collection is None:
                charging.record_no_card(context, job)
            else:
                charging.record(context, job, collection)
            uow.commit()

    def give_back_charge(self, job: ChargeJob, until: datetime) -> None:
        with self._tx.unit_of_work() as uow:
            charging.give_back(uow.session, job, until)
            uow.commit()

    def _payment_context(self, uow: UnitOfWork, payment_id: int) -> Context:
        account_id = uow.session.get_one(orm.Payment, payment_id).account_id
        subscription = uow.repo.subscription(account_id, lock=True)
        return self._tx.internal(uow, subscription)
