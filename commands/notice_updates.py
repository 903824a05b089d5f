"""Notices say what was done with their buttons: the buttons that did it are replaced by the
outcome, who did it and when, so they cannot be pressed again."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from slack_sdk.web.async_client import AsyncWebClient

from commands.carried import NoticeRef
from commands.views.common import when
from commands.views.notices import notice_after_action
from licensing.clock import Clock
from licensing.requests import Request, Restore
from licensing.schemas import SeatChange


class NoticeUpdates:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def after_modal(
        self,
        client: AsyncWebClient,
        notice: NoticeRef,
        outcome: str,
        time_zone: str,
        still_scheduled: int = 0,
    ) -> None:
        """Update the notice whose button opened a modal that was just confirmed."""
        history = await client.conversations_history(
            channel=notice.channel, latest=notice.ts, inclusive=True, limit=1
        )
        found = [m for m in history.get("messages") or [] if m.get("ts") == notice.ts]
        if found:
            await self.mark(
                client, notice.channel, found[0], notice.block, outcome, time_zone, still_scheduled
            )

    async def mark(
        self,
        client: AsyncWebClient,
        channel: str,
        message: dict[str, Any],
        block_id: str,
        outcome: str,
        time_zone: str,
        still_scheduled: int = 0,
    ) -> None:
        """`still_scheduled`: seats of the pool still leaving, after a partial restore."""
        stamp = when(self.clock.now(), time_zone)
        outcome = f"{outcome} · {stamp}"
        blocks = notice_after_action(message["blocks"], block_id, outcome, still_scheduled)
        await client.chat_update(
            channel=channel, ts=message["ts"], text=message.get("text") or "", blocks=blocks
        )


def still_scheduled(request: Request[Any], result: BaseModel) -> int:
    """The seats of the pool still scheduled to leave after a restore from a notice."""
    if isinstance(request, Restore) and isinstance(result, SeatChange):
        return result.pool_after.scheduled_for_removal
    return 0
