"""What a person sees when licensebot cannot reach its database: one message, in the shape of
the surface they used. Listeners do not catch this; the app's error handler answers with it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands.views.common import done_modal, text_message
from commands.views.status import home_view

UNREACHABLE = "licensebot can't reach its database right now. Please try again in a minute."
BACK_TO_MODAL = "Close this to go back to your form and submit it again."


async def answer_unreachable(
    body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> dict[str, Any] | None:
    """The body of the HTTP answer, if the surface takes one. A modal's submission gets a
    modal pushed over it, so that closing it returns to the form to submit again (a Confirm
    keeps its key, so it acts once); a click gets an ephemeral message; an opened Home tab
    shows the message."""
    if "command" in body:
        return text_message(UNREACHABLE)
    kind = body.get("type")
    if kind == "view_submission":
        modal = done_modal("Try again in a minute", f"{UNREACHABLE}\n\n{BACK_TO_MODAL}")
        return {"response_action": "push", "view": modal.to_dict()}
    if kind == "block_actions":
        user = context.user_id or ""
        await client.chat_postEphemeral(
            channel=context.channel_id or user, user=user, text=UNREACHABLE
        )
    elif kind == "event_callback":
        event = body.get("event") or {}
        if event.get("type") == "app_home_opened" and event.get("tab") == "home":
            await client.views_publish(user_id=event["user"], view=home_view(None, UNREACHABLE))
    return None
