"""The buttons on notices. Anyone in the channel can click them, so each click is authorised
again by the service. The notice id and the block clicked make the idempotency key, so a double
click acts once; the notice is then updated to say what was done, by whom and when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands.carried import (
    DamagedPayload,
    NoticeButton,
    NoticeRef,
    PaymentButton,
    RestoreButton,
    read,
)
from commands.deps import Deps
from commands.notice_updates import NoticeUpdates, still_scheduled
from commands.submissions import refuse_click
from commands.views.billing import card_page_message
from commands.views.notices import done_text
from commands.views.subscription import subscribe_entry_modal
from licensing.errors import LicensingError
from licensing.requests import Reactivate, Request, RetryPayment, Subscribe


class NoticeButtons:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.updates = NoticeUpdates(deps.service.clock)

    async def restore(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        await self._act(body, context, client, RestoreButton, lambda b: b.restore)

    async def reactivate(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        await self._act(body, context, client, NoticeButton, lambda b: Reactivate())

    async def retry_payment(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        await self._act(
            body, context, client, PaymentButton, lambda b: RetryPayment(invoice=b.invoice)
        )

    async def update_card(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """A fresh link to the card page, for the company admin who clicked (links expire)."""
        await ack()
        try:
            read(PaymentButton, body["actions"][0].get("value"))
            key, actor = await self.deps.requester(context, client, body)
            card_page = await self.deps.card_page(key, actor)
        except (LicensingError, DamagedPayload) as refusal:
            await refuse_click(body, client, refusal.message)
            return
        if card_page is None:
            await refuse_click(
                context, client, "Invoices are not collected here, so no card is needed."
            )
            return
        message = card_page_message(card_page)
        await client.chat_postEphemeral(
            channel=body["container"]["channel_id"], user=actor.user_id, **message
        )

    async def subscribe(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """Subscribing needs counts and an interval: open the subscribe modal, which updates
        the notice once confirmed."""
        await ack()
        try:
            read(NoticeButton, body["actions"][0].get("value"))
            key, actor = await self.deps.requester(context, client, body)
            await self.deps.can_start(key, actor, Subscribe)
            status = await self.deps.call(self.deps.service.status, key, actor)
        except (LicensingError, DamagedPayload) as refusal:
            await refuse_click(body, client, refusal.message)
            return
        notice = notice_ref(body, body["actions"][0]["block_id"])
        modal = subscribe_entry_modal(status, None, notice)
        await client.views_open(trigger_id=body["trigger_id"], view=modal)

    async def _act(
        self,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        button: type[RestoreButton] | type[NoticeButton] | type[PaymentButton],
        request_of: Callable[[Any], Request[Any]],
    ) -> None:
        clicked = body["actions"][0]
        block_id = str(clicked["block_id"])
        try:
            value = read(button, clicked.get("value"))
            request = request_of(value)
            key, actor = await self.deps.requester(context, client, body)
            result = await self.deps.handle(
                key, actor, request, f"notice:{value.notice}:{block_id}"
            )
        except (LicensingError, DamagedPayload) as refusal:
            await refuse_click(body, client, refusal.message)
            return
        self.deps.deliver_soon()  # the change's log line
        outcome = done_text(request.operation, result, actor.user_id)
        channel = body["container"]["channel_id"]
        remaining = still_scheduled(request, result)
        await self.updates.mark(
            client, channel, body["message"], block_id, outcome, result.time_zone, remaining
        )


def notice_ref(body: dict[str, Any], block_id: str) -> NoticeRef | None:
    """Where a button on a notice was clicked, for updating the notice after a modal."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return None
    return NoticeRef(channel=container["channel_id"], ts=container["message_ts"], block=block_id)
