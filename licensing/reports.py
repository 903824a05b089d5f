"""Turning rows into read models."""

from __future__ import annotations

from decimal import Decimal

from licensing import dunning, orm
from licensing.catalog import Catalog
from licensing.context import Context, seat_counts, seats_of
from licensing.model import full_charge
from licensing.money import Money
from licensing.schemas import (
    AccountStatus,
    BillingStanding,
    ContactView,
    HeldSeat,
    InvoiceLineView,
    InvoiceView,
    LedgerView,
    PaymentView,
    PoolSummary,
    SubscriptionSummary,
)


def invoice_view(invoice: orm.Invoice, catalog: Catalog) -> InvoiceView:
    currency = invoice.currency
    return InvoiceView(
        id=invoice.id,
        kind=invoice.kind,
        created_at=invoice.created_at,
        currency=currency,
        total=Money.from_minor(invoice.total_minor, currency).amount,
        covers_start=invoice.covers_start,
        covers_end=invoice.covers_end,
        payment=payment_view(invoice.payment, invoice) if invoice.payment else None,
        lines=[
            InvoiceLineView(
                product_id=line.product_id,
                office=line.office_name,
                seats=line.seats,
                unit_price=Decimal(line.unit_price),
                amount=Money.from_minor(line.amount_minor, currency).amount,
                product_name=catalog.name_of(line.product_id),
            )
            for line in invoice.lines
        ],
    )


def payment_view(payment: orm.Payment, invoice: orm.Invoice, time_zone: str = "UTC") -> PaymentView:
    return PaymentView(
        invoice_id=invoice.id,
        amount=Money.from_minor(invoice.total_minor, invoice.currency).amount,
        currency=invoice.currency,
        state=payment.state,
        failures=payment.failures,
        next_attempt_at=payment.next_attempt_at,
        reason=payment.reason,
        hosted_url=payment.hosted_url,
        time_zone=time_zone,
    )


def billing_standing(context: Context) -> BillingStanding:
    account = context.account
    card = None
    if account.card_last4:
        card = f"{account.card_brand} ending {account.card_last4}, expires {account.card_expires}"
    unpaid = [
        payment_view(p, context.repo.session.get_one(orm.Invoice, p.invoice_id), account.time_zone)
        for p in dunning.unpaid(context)
    ]
    owed = Money.total((p.amount for p in unpaid), context.currency).amount
    return BillingStanding(
        card=card,
        owed=owed,
        unpaid=unpaid,
        past_due_since=context.subscription.past_due_since,
        retry_days=list(dunning.retry_days(context)),
    )


def ledger_view(entry: orm.LedgerEntry, catalog: Catalog) -> LedgerView:
    amount = (
        Money.from_minor(entry.amount_minor, entry.currency).amount
        if entry.currency
        else Decimal(entry.amount_minor)
    )
    return LedgerView(
        id=entry.id,
        at=entry.at,
        event=entry.event,
        actor=entry.actor,
        office=entry.office_name,
        product_id=entry.product_id,
        user_id=entry.user_id,
        seats=entry.seats,
        amount=amount,
        currency=entry.currency,
        invoice_id=entry.invoice_id,
        detail=entry.detail,
        product_name=catalog.name_of(entry.product_id) if entry.product_id else "",
    )


def subscription_summary(
    account: orm.Account, subscription: orm.Subscription
) -> SubscriptionSummary:
    return SubscriptionSummary(
        status=subscription.status,
        interval=subscription.interval,
        next_interval=subscription.next_interval,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        trial_end=subscription.trial_end,
        time_zone=account.time_zone,
    )


def account_status(context: Context) -> AccountStatus:
    """The admin's view of the pools they manage, or a member's view of their own seats."""
    repo, account, access = context.repo, context.account, context.access
    is_admin = access.company_admin or bool(access.office_ids)
    pools = [
        pool_summary(context, pool) for pool in context.pools() if access.manages(pool.office_id)
    ]
    held = [
        HeldSeat(
            office=context.office_name(pool.office_id),
            product_id=pool.product_id,
            product_name=context.product(pool.product_id).name,
        )
        for assignment in repo.assignments_of(account.id, context.actor_id)
        if (pool := context.pool_by_id(assignment.pool_id))
    ]
    return AccountStatus(
        team_id=account.team_id,
        currency=context.currency,
        subscription=subscription_summary(account, context.subscription),
        offices=[o.name for o in context.offices() if access.manages(o.id)],
        pools=pools,
        next_invoice_estimate=context.next_invoice_estimate() if access.company_admin else None,
        your_seats=held,
        notice_channel=account.notice_channel,
        notice_lead_days=account.notice_lead_days,
        is_company_admin=access.company_admin,
        admin_of_offices=[]
        if not is_admin
        else [context.office_name(office_id) for office_id in sorted(access.office_ids)],
        billing=billing_standing(context)
        if context.dunning is not None and access.company_admin
        else None,
        contact=contact_view(account) if access.company_admin else None,
    )


def contact_view(account: orm.Account) -> ContactView:
    return ContactView(
        company=account.billing_company or "",
        email=account.billing_email or "",
        address=account.billing_address or "",
        vat_id=account.billing_vat_id or "",
        one_line=account.billing_details,
    )


def pool_summary(context: Context, pool: orm.Pool) -> PoolSummary:
    seats = seats_of(pool)
    unit_price = context.unit_price(pool.product_id)
    return PoolSummary(
        office=context.office_name(pool.office_id),
        product_id=pool.product_id,
        product_name=context.product(pool.product_id).name,
        seats=seat_counts(seats),
        unit_price=unit_price,
        idle_cost=full_charge(unit_price, seats.available, context.currency).amount,
    )
