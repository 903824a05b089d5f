"""One attempt to deliver one notice, and what Slack's answer means for it.

Every message carries its delivery id in Slack's message metadata. An attempt whose outcome is
unknown (a crash, a timeout, a 5xx) leaves the delivery marked as possibly posted, and the
next attempt first looks for that id in the conversation, so nothing is ever posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from licensing.schemas import Delivery, NoticeView

log = logging.getLogger(__name__)

METADATA_EVENT = "licensebot_notice"
# Slack answers these when it may have done the work all the same.
UNSURE_ERRORS = {"internal_error", "fatal_error", "request_timeout", "service_unavailable"}
# Slack answers these when licensebot can no longer act in the workspace at all.
GONE_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "team_not_found"}
NOT_INSTALLED = "licensebot is not installed in this workspace"
HISTORY_LOOKBACK = 200  # messages searched for an earlier attempt

Render = Callable[[NoticeView], dict[str, Any]]


@dataclass(frozen=True)
class Sent:
    channel: str
    ts: str


@dataclass(frozen=True)
class Wait:
    """Slack answered 429 and did nothing: wait `seconds` before anything more to the channel
    (a post), or with the token (any other method, limited per workspace)."""

    seconds: float
    whole_token: bool


@dataclass(frozen=True)
class Retry:
    """Try again later; `maybe_posted` if the message may have landed."""

    error: str
    maybe_posted: bool


@dataclass(frozen=True)
class Gone:
    """licensebot can no longer act in the workspace (uninstalled, token revoked)."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """Slack refused the message for good (archived channel, bot removed, …)."""

    error: str


Result = Sent | Wait | Retry | Gone | Failed


async def attempt(
    client: AsyncWebClient, delivery: Delivery, render: Render, dms: dict[tuple[str, str], str]
) -> Result:
    """Post `delivery` unless an earlier attempt did; `dms` keeps the DM channels opened."""
    posting = False
    try:
        channel = await _conversation(client, delivery, dms)
        if delivery.maybe_posted:
            ts = await _earlier_post(client, channel, delivery)
            if ts is not None:
                return Sent(channel, ts)
        posting = True
        return await _post(client, channel, delivery, render)
    except Exception as error:
        return judge(error, delivery, posting=posting)


async def _conversation(
    client: AsyncWebClient, delivery: Delivery, dms: dict[tuple[str, str], str]
) -> str:
    if not delivery.to_user:
        return delivery.target
    key = (client.token or "", delivery.target)
    if key not in dms:
        opened = await client.conversations_open(users=delivery.target)
        dms[key] = str(opened["channel"]["id"])
    return dms[key]


async def _earlier_post(client: AsyncWebClient, channel: str, delivery: Delivery) -> str | None:
    history = await client.conversations_history(
        channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
    )
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("delivery") == delivery.id:
            return str(message["ts"])
    return None


async def _post(client: AsyncWebClient, channel: str, delivery: Delivery, render: Render) -> Sent:
    message = render(delivery.notice)
    response = await client.chat_postMessage(
        channel=channel,
        text=message["text"],
        blocks=message["blocks"],
        metadata={
            "event_type": METADATA_EVENT,
            "event_payload": {
                "delivery": delivery.id,
                "notice": delivery.notice.id,
                "kind": delivery.notice.facts.kind,
            },
        },
        unfurl_links=False,
    )
    return Sent(str(response["channel"]), str(response["ts"]))


def judge(error: Exception, delivery: Delivery, *, posting: bool) -> Result:
    """What an error means. `posting`: it came from the post itself, which may then have
    landed; an earlier attempt's doubt stays until the history settles it."""
    unsure = delivery.maybe_posted or posting
    if not isinstance(error, SlackApiError):
        if not isinstance(error, OSError | aiohttp.ClientError):  # a bug; audited in the end
            log.error("delivering notice %s failed unexpectedly", delivery.id, exc_info=error)
        return Retry(f"{type(error).__name__}: {error}", maybe_posted=unsure)
    status = error.response.status_code
    code = f"HTTP {status}" if status >= 500 else str(error.response.get("error") or status)
    if status == 429:  # refused before doing anything
        return Wait(_retry_after(error.response.headers), whole_token=not posting)
    if status >= 500 or code in UNSURE_ERRORS:
        return Retry(code, maybe_posted=unsure)
    if code in GONE_ERRORS:
        return Gone(f"{NOT_INSTALLED} ({code})")
    return Failed(code)  # channel_not_found, is_archived, not_in_channel, …


def _retry_after(headers: Mapping[str, Any]) -> float:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), 1)
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 1.0
