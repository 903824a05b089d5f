"""The public API of licensing for requests from people: `handle` applies any change (a
`licensing.requests` model) in one transaction, `quote` shows what it would do, and a few
plain reads. Money-moving requests carry an idempotency key: the same key again returns the
first result and changes nothing; the same key with another request is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from licensing import (
    admin,
    orm,
    outbox,
    people,
    preflight,
    reports,
    subscriptions,
    usecases,
)
from licensing.catalog import Catalog
from licensing.clock import Clock
from licensing.context import Context
from licensing.export import AccountExport, export_account
from licensing.model import RoleName
from licensing.reports import invoice_view, ledger_view
from licensing.requests import R, Request
from licensing.schemas import (
    AccountKey,
    AccountStatus,
    Actor,
    AuditTrail,
    InvoiceHistory,
    OfficeChoices,
    PoolHolders,
    RoleView,
    SubscriptionSummary,
)
from licensing.transactions import Policy, Transactions


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
        self._tx = Transactions(session_factory, catalog, clock, self.policy.dunning)

    # accounts

    def install(
        self, account: AccountKey, installer_id: str, time_zone: str = "UTC"
    ) -> SubscriptionSummary:
        """Open the account on a free trial, or, if it exists, make the installer a company admin."""
        time_zone = admin.time_zone(time_zone)
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

    def uninstalled(self, account: AccountKey, reason: str) -> int:
        """licensebot left the account's workspace (uninstalled, tokens revoked): every notice
        still waiting for it is undeliverable. The subscription itself is not touched: leaving
        Slack is not cancelling. How many deliveries were given up."""
        with self._tx.unit_of_work() as uow:
            subscription = uow.repo.lock_subscription_of(account.team_id, account.enterprise_id)
            if subscription is None:
                return 0
            context = self._tx.internal(uow, subscription)
            pending = uow.repo.pending_deliveries(context.account.id)
            given_up = outbox.undeliverable(context, pending, reason)
            uow.commit()
            return given_up

    def office_names(self, account: AccountKey, actor: Actor) -> list[str]:
        """Every office of the account, so requests can name one; seeing names needs no role."""
        return self._tx.read(account, actor, lambda c: [o.name for o in c.offices()])

    def office_choices(self, account: AccountKey, actor: Actor) -> OfficeChoices:
        """The offices to offer in a form, and the one to choose first for this actor."""

        def work(c: Context) -> OfficeChoices:
            default = c.default_office()
            return OfficeChoices(
                names=[o.name for o in c.offices()], default=default.name if default else None
            )

        return self._tx.read(account, actor, work)

    def status(self, account: AccountKey, actor: Actor) -> AccountStatus:
        return self._tx.read(account, actor, reports.account_status)

    # changes

    def quote(self, account: AccountKey, actor: Actor, request: Request[R]) -> R:
        """What `handle` would do with `request` now, changing nothing: the review step."""

        def work(c: Context) -> R:
            quote = usecases.plan(c, request, self.policy).quote
            if quote is None:
                raise TypeError(f"{type(request).__name__} has no review step")
            return quote

        return self._tx.read(account, actor, work)

    def can_start(
        self, account: AccountKey, actor: Actor, request_type: type[Request[Any]]
    ) -> None:
        """Refuse at once what `handle` would surely refuse for any request of this type (the
        actor's role, the subscription's state), before a form is shown for it."""
        self._tx.read(account, actor, lambda c: preflight.check_can_start(c, request_type))

    def handle(
        self,
        account: AccountKey,
        actor: Actor,
        request: Request[R],
        idempotency_key: str | None = None,
        *,
        shown: BaseModel | None = None,
    ) -> R:
        """Apply `request` in one transaction. `shown`, the quote an admin confirmed, refuses
        the change (`QuoteChanged`) if it would now do anything else. Money-moving requests
        come with an idempotency key: the same key again returns the first result."""

        def work(c: Context) -> R:
            plan = usecases.plan(c, request, self.policy)
            plan.check_shown(shown)
            return plan.apply()

        return self._tx.change(account, actor, request, work, idempotency_key)

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

    def roles(self, account: AccountKey, actor: Actor) -> list[RoleView]:
        return self._tx.read(account, actor, admin.list_roles)

    # history

    def invoices(
        self, account: AccountKey, actor: Actor, *, page: int = 1, per_page: int = 10
    ) -> InvoiceHistory:
        def work(c: Context) -> InvoiceHistory:
            c.access.require_company_admin("see invoices")
            offset = (page - 1) * per_page
            rows = c.repo.invoices(c.account.id, limit=per_page, offset=offset)
            return InvoiceHistory(
                time_zone=c.account.time_zone,
                invoices=[invoice_view(row, self.catalog) for row in rows],
                total=c.repo.count_invoices(c.account.id),
                page=page,
                per_page=per_page,
            )

        return self._tx.read(account, actor, work)

    def audit(
        self, account: AccountKey, actor: Actor, *, page: int = 1, per_page: int = 25
    ) -> AuditTrail:
        def work(c: Context) -> AuditTrail:
            c.access.require_company_admin("see the audit log")
            offset = (page - 1) * per_page
            rows = c.repo.ledger(c.account.id, limit=per_page, offset=offset)
            return AuditTrail(
                time_zone=c.account.time_zone,
                entries=[ledger_view(row, self.catalog) for row in rows],
                total=c.repo.count_ledger(c.account.id),
                page=page,
                per_page=per_page,
            )

        return self._tx.read(account, actor, work)

    def export(self, team_id: str | None = None) -> Iterator[AccountExport]:
        """Everything stored of one or all accounts, for operators (not a Slack request)."""
        with self._tx.unit_of_work(read_only=True) as uow:
            for account in list(uow.repo.accounts(team_id)):
                yield export_account(uow.repo, account, self.catalog)
