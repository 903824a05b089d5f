"""The billing contact modal: opened from `/license subscription billing`, saved on submit
(it moves no money, so there is no review step), then given to the payment provider."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.deps import Deps
from commands.parsing.fields import contact_request
from commands.port import BillingPort
from commands.submissions import REFUSALS, refuse_click, refuse_submission
from commands.views.billing import contact_modal
from commands.views.common import done_modal
from licensing.errors import BillingContactInvalid, LicensingError, NotAllowed
from licensing.schemas import AccountKey, Actor


class BillingContactModal:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def open(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        try:
            key, actor = await self.deps.requester(context, client, body)
            status = await self.deps.call(self.deps.service.status, key, actor)
            if status.contact is None:
                raise NotAllowed("change billing details", "company admins")
        except LicensingError as refusal:
            await refuse_click(body, client, refusal.message)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=contact_modal(status.contact))

    async def submit(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
    ) -> None:
        try:
            request = contact_request(view["state"]["values"])
            key, actor = await self.deps.requester(context, client, body)
            await self.deps.handle(key, actor, request)
        except REFUSALS as refusal:
            await refuse_submission(ack, refusal, _field_of)
            return
        saved = "The billing contact is saved: invoices name it from now on."
        await ack(response_action="update", view=done_modal("Billing contact", saved))
        if self.deps.billing is not None:
            self.deps.after_ack(self._tell_provider(self.deps.billing, key, actor))

    async def _tell_provider(self, billing: BillingPort, key: AccountKey, actor: Actor) -> None:
        """The provider's customer gets the new contact, for the invoices it shows."""
        await self.deps.call(billing.sync_contact, key, actor)


def _field_of(refusal: LicensingError) -> str:
    if isinstance(refusal, BillingContactInvalid):
        return ids.CONTACT_FIELDS[refusal.field][0]
    return ids.COMPANY_BLOCK
