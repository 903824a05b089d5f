"""The answer to a refused modal submission: input wrong on a field, and licensing's refusals,
are shown on their field; a payload that cannot have come from our own modal closes it, with
nothing changed. And to a refused click: a message only the clicker sees, where they clicked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands.carried import DamagedPayload
from commands.parsing.fields import FieldErrors
from commands.views.common import done_modal
from licensing.errors import LicensingError

REFUSALS = (FieldErrors, LicensingError, DamagedPayload)


async def refuse_submission(
    ack: AsyncAck,
    refusal: FieldErrors | LicensingError | DamagedPayload,
    field_of: Callable[[LicensingError], str],
) -> None:
    """Answer `refusal`; `field_of` names the block a licensing refusal is shown on."""
    if isinstance(refusal, FieldErrors):
        await ack(response_action="errors", errors=refusal.errors)
    elif isinstance(refusal, LicensingError):
        await ack(response_action="errors", errors={field_of(refusal): refusal.message})
    else:
        await ack(response_action="update", view=done_modal("Nothing changed", refusal.message))


async def refuse_click(body: dict[str, Any], client: AsyncWebClient, message: str) -> None:
    """In the channel of the clicked message, or the clicker's DM with the app (App Home)."""
    user = body["user"]["id"]
    channel = (body.get("container") or {}).get("channel_id") or user
    await client.chat_postEphemeral(channel=channel, user=user, text=message)
