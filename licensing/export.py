"""Everything stored of an account, in the shape `licensebot export` prints."""

from __future__ import annotations

from licensing import orm
from licensing.catalog import Catalog
from licensing.reports import invoice_view, ledger_view, subscription_summary
from licensing.repository import Repository
from licensing.schemas import InvoiceView, LedgerView, ReadModel, SubscriptionSummary


class PoolExport(ReadModel):
    product: str
    purchased: int
    scheduled_for_removal: int
    assigned_user_ids: list[str]


class OfficeExport(ReadModel):
    name: str
    pools: list[PoolExport]


class AccountExport(ReadModel):
    team_id: str
    enterprise_id: str
    subscription: SubscriptionSummary
    offices: list[OfficeExport]
    invoices: list[InvoiceView]
    ledger: list[LedgerView]


def export_account(repo: Repository, account: orm.Account, catalog: Catalog) -> AccountExport:
    pools = repo.pools(account.id)
    offices = [
        OfficeExport(
            name=office.name,
            pools=[_pool_export(repo, pool) for pool in pools if pool.office_id == office.id],
        )
        for office in repo.offices(account.id)
    ]
    return AccountExport(
        team_id=account.team_id,
        enterprise_id=account.enterprise_id,
        subscription=subscription_summary(account, repo.subscription(account.id)),
        offices=offices,
        invoices=[invoice_view(invoice, catalog) for invoice in repo.all_invoices(account.id)],
        ledger=[ledger_view(entry, catalog) for entry in repo.ledger(account.id)],
    )


def _pool_export(repo: Repository, pool: orm.Pool) -> PoolExport:
    holders: list[str] = []
    while page := repo.holders(pool.id, after_user=holders[-1] if holders else ""):
        holders.extend(page)
    return PoolExport(
        product=pool.product_id,
        purchased=pool.purchased,
        scheduled_for_removal=pool.scheduled_for_removal,
        assigned_user_ids=holders,
    )
