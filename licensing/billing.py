"""Payments as people and the payment provider drive them: the link where a company admin
saves a card, and the provider's notifications, each acted on once.

Provider calls are made outside any transaction (they are slow and may be repeated); what
they return is then recorded in one transaction with its ledger rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from licensing import dunning, orm, subscriptions
from licensing.catalog import Catalog
from licensing.clock import Clock
from licensing.collection import Dunning
from licensing.context import Context
from licensing.db import UnitOfWork
from licensing.payments import BillingContact, Card, EventKind, PaymentEvent, PaymentProvider
from licensing.schemas import AccountKey, Actor
from licensing.transactions import Transactions


class Billing:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        catalog: Catalog,
        clock: Clock,
        provider: PaymentProvider,
        terms: Dunning,
    ) -> None:
        self.provider = provider
        self._tx = Transactions(session_factory, catalog, clock, terms)

    def card_setup_link(self, account: AccountKey, actor: Actor, return_url: str) -> str:
        """A fresh link to the provider's page where a company admin saves the card that
        invoices are charged to; the account's customer is made the first time (later
        contact changes reach it when they are saved, so one provider call is enough here)."""
        customer = self._tx.read(account, actor, _customer_of)[1]
        if customer is None:
            customer = self.sync_contact(account, actor)
        return self.provider.card_setup_url(customer, return_url)

    def sync_contact(self, account: AccountKey, actor: Actor) -> str:
        """The account's customer at the provider, made the first time and otherwise given
        the billing contact as it now is (company admins only)."""
        account_id, existing, contact = self._tx.read(account, actor, _customer_of)
        customer = self.provider.customer(account_id, contact, existing)
        if existing is None:
            with self._tx.unit_of_work() as uow:
                context = self._tx.internal(uow, uow.repo.subscription(account_id, lock=True))
                customer = _keep_customer(context, customer)
                uow.commit()
        return customer

    def apply(self, event: PaymentEvent) -> bool:
        """Act on a provider notification once; False for one already acted on, or about a
        customer, or a customer's invoice, that licensebot does not know."""
        card = None
        if event.kind is EventKind.CARD_CHANGED and event.customer:
            card = self.provider.card(event.customer)
        try:
            with self._tx.unit_of_work() as uow:
                context = self._context_of(uow, event)
                if context is None or _seen(uow.session, event):
                    return False
                uow.repo.add(
                    orm.PaymentEventRow(id=event.id, kind=event.kind, received_at=context.now)
                )
                _act(context, event, card)
                uow.commit()
                return True
        except IntegrityError:  # the same notification, acted on a moment ago elsewhere
            return False

    def _context_of(self, uow: UnitOfWork, event: PaymentEvent) -> Context | None:
        """The locked account the notification is about: the provider's customer's, and for
        an invoice one of its own. An invoice number alone is not enough: another licensebot
        on the same provider account numbers its invoices from 1 too."""
        if not event.customer:
            return None
        query = select(orm.Account.id).where(orm.Account.payment_customer == event.customer)
        if event.invoice_id is not None:
            query = query.join(orm.Invoice, orm.Invoice.account_id == orm.Account.id).where(
                orm.Invoice.id == event.invoice_id
            )
        account_id = uow.session.scalar(query)
        if account_id is None:
            return None
        return self._tx.internal(uow, uow.repo.subscription(account_id, lock=True))


def _seen(session: Session, event: PaymentEvent) -> bool:
    return session.get(orm.PaymentEventRow, event.id) is not None


def _act(context: Context, event: PaymentEvent, card: Card | None) -> None:
    if event.kind is EventKind.CARD_CHANGED:
        dunning.card_changed(context, card)
        return
    payment = context.repo.payment_of_invoice(context.account.id, event.invoice_id or 0)
    if payment is None:
        return
    payment.provider_invoice = event.provider_invoice or payment.provider_invoice
    payment.hosted_url = event.hosted_url or payment.hosted_url
    if event.kind is EventKind.INVOICE_PAID:
        dunning.paid(context, payment, event.provider_invoice)
    elif event.kind is EventKind.INVOICE_VOIDED:
        dunning.voided(context, payment)
    elif payment.attempt_open:  # a failure the charge itself has not reported yet
        dunning.failed(context, payment, event.reason or "declined", event.hosted_url)


def _customer_of(context: Context) -> tuple[int, str | None, BillingContact]:
    context.access.require_company_admin("set up the card for invoices")
    account = context.account
    return account.id, account.payment_customer, subscriptions.stored_contact(account)


def _keep_customer(context: Context, customer: str) -> str:
    """The account's customer: `customer`, unless another request stored one first."""
    if context.account.payment_customer is None:
        context.account.payment_customer = customer
        context.record("payment_customer_created", detail=customer)
    return context.account.payment_customer
