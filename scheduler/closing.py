"""One attempt to close a posted notice: its message, read back where it was posted, edited
once the period it is about has closed, so that buttons which no longer apply go.

An edit is idempotent: an attempt whose outcome is unknown is simply made again, and finds
the message closed already. A message that is gone (deleted in Slack) has nothing to close.
Both calls are limited per workspace, so a 429 holds back the token, not the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from licensing.schemas import Delivery, NoticeView
from scheduler.posting import Result, Sent, judge

# The message a posted notice becomes once closed, from the message as it stands; None to
# leave it as it is.
Close = Callable[[dict[str, Any], NoticeView], dict[str, Any] | None]


async def close(client: AsyncWebClient, delivery: Delivery, closed: Close) -> Result:
    channel, ts = delivery.channel, delivery.ts
    assert channel and ts, "a close edits a message that was posted"
    try:
        history = await client.conversations_history(
            channel=channel, latest=ts, inclusive=True, limit=1, include_all_metadata=True
        )
        found = [m for m in history.get("messages") or [] if m.get("ts") == ts]
        message = closed(found[0], delivery.notice) if found else None
        if message is not None:
            await client.chat_update(
                channel=channel,
                ts=ts,
                text=message["text"],
                blocks=message["blocks"],
                metadata=found[0].get("metadata"),  # kept: it names the delivery posted
            )
    except Exception as error:
        return judge(error, delivery, posting=False)
    return Sent(channel, ts)
