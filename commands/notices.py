"""The buttons on notices. Anyone in the channel can click them, so each click is authorised
again by the service. The notice id and what the button acts on make the idempotency key, so a
double click acts once; the notice is then updated to say what was done, by whom and when."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands.deps import Deps
from commands.views.seats import seat_change_done_text
from commands.views.subscription import subscribe_entry_modal, subscription_done_text
from licensing.errors import LicensingError, NotAllowed
from licensing.schemas import AccountKey, Actor

# Does what a button asks and says what was done, given the account's time zone.
Act = Callable[[AccountKey, Actor, str], Awaitable[str]]


class NoticeButtons:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def restore(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        value, block_id = _clicked(body)

        async def act(key: AccountKey, actor: Actor, tz: str) -> str:
            change = await self.deps.call(
                self.deps.service.restore,
                key,
                actor,
                value["count"],
                value["product"],
                value["office"],
                idempotency_key=f"notice:{value['notice']}:{block_id}",
                period_end=datetime.fromisoformat(value["period_end"]),
            )
            return seat_change_done_text("restore", change, actor.user_id, tz)

        await self._act(body, client, block_id, act)

    async def reactivate(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        value, block_id = _clicked(body)

        async def act(key: AccountKey, actor: Actor, tz: str) -> str:
            change = await self.deps.call(
                self.deps.service.reactivate,
                key,
                actor,
                idempotency_key=f"notice:{value['notice']}:{block_id}",
            )
            return subscription_done_text("reactivate", change, actor.user_id, tz)

        await self._act(body, client, block_id, act)

    async def subscribe(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Subscribing needs counts and an interval: open the subscribe modal, which updates
        the notice once confirmed."""
        await ack()
        _, block_id = _clicked(body)
        try:
            key, actor = await self.deps.requester(client, body)
            status = await self.deps.call(self.deps.service.status, key, actor)
            if not status.is_company_admin:
                raise NotAllowed("subscribe", "company admins")
        except LicensingError as refusal:
            await self._refuse(body, client, refusal)
            return
        modal = subscribe_entry_modal(status, None, notice_ref(body, block_id))
        await client.views_open(trigger_id=body["trigger_id"], view=modal)

    async def _act(
        self, body: dict[str, Any], client: AsyncWebClient, block_id: str, act: Act
    ) -> None:
        try:
            key, actor = await self.deps.requester(client, body)
            tz = (await self.deps.call(self.deps.service.status, key, actor)).subscription.time_zone
            outcome = await act(key, actor, tz)
        except LicensingError as refusal:
            await self._refuse(body, client, refusal)
            return
        self.deps.deliver_soon()  # the change's log line
        channel = body["container"]["channel_id"]
        await self.deps.mark_notice(client, channel, body["message"], block_id, outcome, tz)

    async def _refuse(
        self, body: dict[str, Any], client: AsyncWebClient, refusal: LicensingError
    ) -> None:
        await client.chat_postEphemeral(
            channel=body["container"]["channel_id"], user=body["user"]["id"], text=refusal.message
        )


def _clicked(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    action = body["actions"][0]
    return json.loads(action.get("value") or "{}"), str(action["block_id"])


def notice_ref(body: dict[str, Any], block_id: str) -> dict[str, str] | None:
    """Where a button on a notice was clicked, for updating the notice after a modal."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return None
    return {"channel": container["channel_id"], "ts": container["message_ts"], "block": block_id}
