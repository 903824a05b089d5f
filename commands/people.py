"""The assign and revoke modal, for when `/license assign` or `revoke` lacks arguments.
Assigning and revoking move no money, so they act on submit, without a review step."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.deps import Deps
from commands.views.people import assigned_message, revoked_message
from licensing import errors
from licensing.errors import LicensingError

_FIELD_OF_ERROR: dict[type[LicensingError], str] = {
    errors.UnknownOffice: ids.OFFICE_BLOCK,
    errors.NotAllowed: ids.OFFICE_BLOCK,
    errors.UnknownProduct: ids.PRODUCT_BLOCK,
    errors.NoSeatAvailable: ids.PRODUCT_BLOCK,
}


class PeopleModal:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def submit(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: dict[str, Any]
    ) -> None:
        meta = json.loads(view["private_metadata"])
        values = view["state"]["values"]
        user = values[ids.USER_BLOCK][ids.USER_ACTION]["selected_user"]
        product = values[ids.PRODUCT_BLOCK][ids.PRODUCT_ACTION]["selected_option"]["value"]
        office = values.get(ids.OFFICE_BLOCK, {}).get(ids.OFFICE_ACTION, {}).get("selected_option")
        person = await self.deps.directory.person(client, user)
        if person is None or not person.active:
            await ack(
                response_action="errors",
                errors={ids.USER_BLOCK: "Pick an active member of this workspace."},
            )
            return
        try:
            key, actor = await self.deps.requester(client, body)
            service, call = self.deps.service, self.deps.call
            if meta["action"] == "assign":
                change = await call(
                    service.assign, key, actor, user, product, office["value"] if office else None
                )
                message = assigned_message(change)
            else:
                message = revoked_message(await call(service.revoke, key, actor, user, product))
        except LicensingError as refusal:
            block = _FIELD_OF_ERROR.get(type(refusal), ids.USER_BLOCK)
            await ack(response_action="errors", errors={block: refusal.message})
            return
        await ack()
        self.deps.after_ack(_tell(client, meta["channel"], actor.user_id, message["text"]))


async def _tell(client: AsyncWebClient, channel: str, user: str, text: str) -> None:
    await client.chat_postEphemeral(channel=channel, user=user, text=text)
