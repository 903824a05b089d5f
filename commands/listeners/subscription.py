"""The subscription modals: subscribe (enter → Next → review → Confirm), cancel and reactivate
(review → Confirm). Confirm applies what the review showed (see commands.confirm)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.carried import Review, SubscribeEntry, read
from commands.confirm import ConfirmFlow
from commands.deps import Deps
from commands.parsing.fields import subscribe_request
from commands.submissions import REFUSALS, refuse_submission
from commands.views.subscription import subscribe_entry_modal, subscription_review_modal
from licensing.errors import LicensingError, SeatsBelowAssigned
from licensing.requests import Cancel, Reactivate, Subscribe
from licensing.schemas import AccountKey, Actor


class SubscriptionModals:
    def __init__(self, deps: Deps, confirm_flow: ConfirmFlow) -> None:
        self.deps = deps
        self.confirm_flow = confirm_flow

    async def open(
        self,
        action: str,
        interval: str | None,
        key: AccountKey,
        actor: Actor,
        trigger_id: str,
        client: AsyncWebClient,
    ) -> None:
        """`/license subscription subscribe|cancel|reactivate`: refused at once if it cannot
        be done now, and checked again on Confirm."""
        if action == "subscribe":
            await self.deps.can_start(key, actor, Subscribe)
            status = await self.deps.call(self.deps.service.status, key, actor)
            modal = subscribe_entry_modal(status, interval)
        else:
            request = Cancel() if action == "cancel" else Reactivate()
            change = await self.deps.quote(key, actor, request)
            modal = subscription_review_modal(change, Review.of(request, change, None).dump())
        await client.views_open(trigger_id=trigger_id, view=modal)

    async def entry(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
    ) -> None:
        try:
            entry = read(SubscribeEntry, view.get("private_metadata"))
            request = subscribe_request(entry, view["state"]["values"])
            key, actor = await self.deps.requester(context, client, body)
            quote = await self.deps.quote(key, actor, request)
        except REFUSALS as refusal:
            await refuse_submission(ack, refusal, lambda error: _field_of(error, entry))
            return
        metadata = Review.of(request, quote, entry.notice).dump()
        await ack(response_action="update", view=subscription_review_modal(quote, metadata))

    async def confirm(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
    ) -> None:
        await self.confirm_flow.confirm(
            ack,
            body,
            context,
            client,
            view,
            lambda operation, quote, metadata, note: subscription_review_modal(
                quote, metadata, note
            ),
        )


def _field_of(refusal: LicensingError, entry: SubscribeEntry) -> str:
    """The pool's seats field for a count below its assigned seats; the billing field else."""
    if isinstance(refusal, SeatsBelowAssigned):
        for index, pool in enumerate(entry.pools):
            if (pool.office, pool.product) == (refusal.office, refusal.product_id):
                return ids.pool_seats_block(index)
    return ids.INTERVAL_BLOCK
