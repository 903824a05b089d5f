"""Buttons. Anyone who sees a button can click it, so each click is authorised again by the
service when the resulting modal is confirmed."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands.deps import Deps
from commands.notices import notice_ref
from commands.views.seats import seats_entry_modal
from commands.views.status import home_view
from licensing.errors import LicensingError


class SeatButtons:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def open_buy(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await self._open(ack, body, client, "buy")

    async def open_remove(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await self._open(ack, body, client, "remove")

    async def open_restore(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await self._open(ack, body, client, "restore")

    async def _open(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, action: str
    ) -> None:
        await ack()
        preset = json.loads(body["actions"][0].get("value") or "{}")
        try:
            key, actor = await self.deps.requester(client, body)
            offices = await self.deps.call(self.deps.service.office_names, key, actor)
        except LicensingError as refusal:
            await client.chat_postEphemeral(
                channel=_channel(body), user=actor_id(body), text=refusal.message
            )
            return
        modal = seats_entry_modal(
            action,
            self.deps.catalog,
            offices,
            preset.get("count"),
            preset.get("product"),
            preset.get("office"),
            notice_ref(body, body["actions"][0]["block_id"]) if "notice" in preset else None,
        )
        await client.views_open(trigger_id=body["trigger_id"], view=modal)


class HomeTab:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def opened(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab") != "home":
            return
        user = event["user"]
        try:
            key, actor = await self.deps.requester(client, {**body, "user_id": user})
            view = home_view(await self.deps.call(self.deps.service.status, key, actor))
        except LicensingError as refusal:
            view = home_view(None, refusal.message)
        await client.views_publish(user_id=user, view=view)


def _channel(body: dict[str, Any]) -> str:
    channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
    assert isinstance(channel, str)
    return channel


def actor_id(body: dict[str, Any]) -> str:
    user = body["user"]["id"]
    assert isinstance(user, str)
    return user
