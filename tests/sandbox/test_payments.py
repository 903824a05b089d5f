"""The sandbox's simulated payment provider, on its own: charges, cards and notifications."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from licensing.payments import (
    BillingContact,
    Card,
    Charge,
    ChargeLine,
    EventKind,
    Outcome,
    WebhookRejected,
)
from sandbox.payments import DECLINED, NO_CARD, NoCardPage, Notification, SimulatedProvider

CONTACT = BillingContact(company="Acme Ltd", email="")
RETURN_URL = "https://slack.com/"


def charge(invoice_id: int = 1, customer: str = "cus_sandbox_1") -> Charge:
    return Charge(invoice_id, 1, customer, "USD", (ChargeLine("Talk · Main · 3 seats", 4500),))


def with_a_card(last4: str = "4242") -> SimulatedProvider:
    provider = SimulatedProvider()
    provider.card_setup_url(provider.customer(1, CONTACT, None), RETURN_URL)
    provider.save_card(last4, 2026)
    return provider


def signed_elsewhere(notification: Notification) -> Notification:
    """The same payload with the signature another provider (another secret) gives it."""
    other = SimulatedProvider()
    other.card_setup_url("cus_sandbox_1", RETURN_URL)
    theirs = other.save_card("4242", 2026)
    assert theirs.payload == notification.payload
    return theirs


def test_a_customer_is_made_once_per_account() -> None:
    provider = SimulatedProvider()
    made = provider.customer(7, CONTACT, None)
    assert made == "cus_sandbox_7"
    assert provider.customer(7, CONTACT, made) == made


def test_a_charge_without_a_card_fails_and_says_so() -> None:
    collection = SimulatedProvider().collect(charge())
    assert (collection.outcome, collection.reason) == (Outcome.FAILED, NO_CARD)
    assert collection.provider_invoice == "in_sandbox_1"


def test_a_saved_card_pays_each_invoice_once_however_often_it_is_asked() -> None:
    provider = with_a_card()
    first = provider.collect(charge())
    assert first.outcome is Outcome.PAID and first.reason is None
    assert provider.collect(charge()) == first
    assert provider.charged == [charge()]


def test_declining_fails_every_charge_until_charges_go_through_again() -> None:
    provider = with_a_card()
    provider.declining = True
    assert [provider.collect(charge(n)).reason for n in (1, 2)] == [DECLINED, DECLINED]
    provider.declining = False
    assert provider.collect(charge(1)).outcome is Outcome.PAID
    assert [c.invoice_id for c in provider.charged] == [1]


def test_a_card_is_saved_for_the_customer_whose_card_page_was_linked_last() -> None:
    provider = SimulatedProvider()
    provider.card_setup_url("cus_sandbox_1", RETURN_URL)
    provider.card_setup_url("cus_sandbox_2", RETURN_URL)
    provider.save_card("5555", 2026)
    assert provider.cards == {"cus_sandbox_2": Card("visa", "5555", 12, 2030)}
    assert provider.card("cus_sandbox_2") == Card("visa", "5555", 12, 2030)
    assert provider.card("cus_sandbox_1") is None


def test_no_card_is_saved_before_licensebot_has_linked_to_the_card_page() -> None:
    provider = SimulatedProvider()
    with pytest.raises(NoCardPage):
        provider.save_card("4242", 2026)
    assert provider.cards == {}


def test_saving_a_card_makes_a_signed_notification_that_reads_as_card_changed() -> None:
    provider = SimulatedProvider()
    provider.card_setup_url("cus_sandbox_1", RETURN_URL)
    first = provider.save_card("4242", 2026)
    second = provider.save_card("5555", 2026)
    events = [provider.read_event(n.payload, n.signature) for n in (first, second)]
    assert [(e.kind, e.customer) for e in events if e] == [
        (EventKind.CARD_CHANGED, "cus_sandbox_1"),
        (EventKind.CARD_CHANGED, "cus_sandbox_1"),
    ]
    assert len({e.id for e in events if e}) == 2  # each is acted on once, so each is new


@pytest.mark.parametrize(
    "forge",
    [
        lambda n: Notification(n.payload.replace(b"cus_sandbox_1", b"cus_sandbox_9"), n.signature),
        lambda n: Notification(n.payload, ""),
        signed_elsewhere,
    ],
    ids=["changed-payload", "no-signature", "another-providers-signature"],
)
def test_a_notification_the_provider_did_not_sign_is_rejected(
    forge: Callable[[Notification], Notification],
) -> None:
    provider = SimulatedProvider()
    provider.card_setup_url("cus_sandbox_1", RETURN_URL)
    forged = forge(provider.save_card("4242", 2026))
    with pytest.raises(WebhookRejected):
        provider.read_event(forged.payload, forged.signature)
