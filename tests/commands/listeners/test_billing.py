"""The billing contact modal: opened for company admins, refused field by field, saved, then
given to the payment provider where invoices are collected."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock

from commands import ids
from commands.listeners.billing import BillingContactModal
from licensing.errors import BillingContactInvalid
from licensing.requests import SetBillingContact
from licensing.schemas import AccountKey, Actor, ContactView
from tests.commands.listeners.fakes import Harness, acked
from tests.commands.listeners.payloads import contact_values, submitted
from tests.commands.views.samples import STATUS

CARD_DATA = "Card details are never taken in Slack"


class FakeBilling:
    def __init__(self) -> None:
        self.synced: list[tuple[AccountKey, Actor]] = []

    def card_setup_link(self, account: AccountKey, actor: Actor, return_url: str) -> str:
        return "https://pay.example/setup"

    def sync_contact(self, account: AccountKey, actor: Actor) -> str:
        self.synced.append((account, actor))
        return "cus_1"


def submit(harness: Harness, values: dict[str, Any]) -> AsyncMock:
    ack = AsyncMock()
    view = submitted(None, values, callback_id=ids.BILLING_CONTACT)
    modal = BillingContactModal(harness.deps)
    harness.run(modal.submit(ack, harness.body, harness.context, harness.client.web, view))
    return ack


def test_a_contact_is_saved_and_then_given_to_the_provider(harness: Harness) -> None:
    billing = FakeBilling()
    harness.deps.billing = billing

    ack = submit(harness, contact_values("Acme Ltd", "billing@acme.example", vat_id="GB123"))

    [call] = harness.service.handled()
    assert call.request == SetBillingContact(
        company="Acme Ltd", email="billing@acme.example", vat_id="GB123"
    )
    answer = acked(ack)
    assert answer["response_action"] == "update"
    assert "The billing contact is saved" in str(answer["view"])
    assert len(billing.synced) == 1


def test_a_field_licensing_refuses_is_shown_on_that_field(harness: Harness) -> None:
    refusal = BillingContactInvalid("email", "Enter the e-mail address invoices go to.")
    harness.service.refuse(SetBillingContact, refusal, on="handle")

    ack = submit(harness, contact_values("Acme Ltd", "billing"))

    ack.assert_awaited_once_with(
        response_action="errors",
        errors={ids.EMAIL_BLOCK: "Enter the e-mail address invoices go to."},
    )


def test_a_card_number_in_any_field_is_refused_there_and_never_sent_on(harness: Harness) -> None:
    ack = submit(harness, contact_values("Acme Ltd", "a@b.example", "4242 4242 4242 4242"))

    errors = acked(ack)["errors"]
    assert list(errors) == [ids.ADDRESS_BLOCK]
    assert errors[ids.ADDRESS_BLOCK].startswith(CARD_DATA)
    assert harness.service.handled() == []


def test_the_modal_opens_filled_for_a_company_admin(harness: Harness) -> None:
    contact = ContactView(company="Acme Ltd", email="billing@acme.example")
    harness.service.account_status = STATUS.model_copy(update={"contact": contact})
    body = {**harness.body, "trigger_id": "T.1", "container": {"channel_id": "C1"}}

    harness.run(
        BillingContactModal(harness.deps).open(
            AsyncMock(), body, harness.context, harness.client.web
        )
    )

    modal = harness.client.opened()
    assert modal["callback_id"] == ids.BILLING_CONTACT
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert inputs[ids.COMPANY_BLOCK]["element"]["initial_value"] == "Acme Ltd"


def test_others_are_told_only_company_admins_may_and_no_modal_opens(harness: Harness) -> None:
    body = {**harness.body, "trigger_id": "T.1", "container": {"channel_id": "C1"}}

    harness.run(
        BillingContactModal(harness.deps).open(
            AsyncMock(), body, harness.context, harness.client.web
        )
    )

    assert harness.client.made("views_open") == []
    [told] = harness.client.made("chat_postEphemeral")
    assert "only company admins can" in told["text"]
