"""Notices say what was done with their buttons: the buttons that did it are replaced by the
outcome, who did it and when, so they cannot be pressed again."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from commands.carried import NoticeRef
from commands.views.common import when
from commands.views.notices import notice_after_action
from licensing.clock import Clock


class NoticeUpdates:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def after_modal(
        self, client: AsyncWebClient, notice: NoticeRef, outcome: str, time_zone: str
    ) -> None:
        """Update the notice whose button opened a modal that was just confirmed."""
        history = await client.conversations_history(
            channel=notice.channel, latest=notice.ts, inclusive=True, limit=1
        )
        found = [m for m in history.get("messages") or [] if m.get("ts") == notice.ts]
        if found:
            await self.mark(client, notice.channel, found[0], notice.block, outcome, time_zone)

    async def mark(
        self,
        client: AsyncWebClient,
        channel: str,
        message: dict[str, Any],
        block_id: str,
        outcome: str,
        time_zone: str,
    ) -> None:
        stamp = when(self.clock.now(), time_zone)
        blocks = notice_after_action(message["blocks"], block_id, f"{outcome} · {stamp}")
        await client.chat_update(
            channel=channel, ts=message["ts"], text=message.get("text") or "", blocks=blocks
        )
