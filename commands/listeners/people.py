"""The assign and revoke modal, for when `/license assign` or `revoke` lacks arguments.
Assigning and revoking move no money, so they act on submit, without a review step."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.carried import PeopleEntry, read
from commands.deps import Deps
from commands.parsing.fields import FieldErrors, people_request
from commands.submissions import REFUSALS, refuse_submission
from commands.views.people import assigned_message, revoked_message
from licensing import errors
from licensing.errors import LicensingError
from licensing.requests import Assign

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
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
    ) -> None:
        try:
            entry = read(PeopleEntry, view.get("private_metadata"))
            request = people_request(entry, view["state"]["values"])
            key, actor = await self.deps.requester(context, client, body)
            person = await self.deps.directory.person(client, key, request.user_id)
            if person is None or not person.active:
                raise FieldErrors({ids.USER_BLOCK: "Pick an active member of this workspace."})
            change = await self.deps.handle(key, actor, request)
        except REFUSALS as refusal:
            await refuse_submission(ack, refusal, lambda error: _field_of(error, entry))
            return
        await ack()
        message = (
            assigned_message(change) if isinstance(request, Assign) else revoked_message(change)
        )
        tell = client.chat_postEphemeral(
            channel=entry.channel, user=actor.user_id, text=message["text"]
        )
        self.deps.after_ack(_sent(tell))


def _field_of(refusal: LicensingError, entry: PeopleEntry) -> str:
    block = _FIELD_OF_ERROR.get(type(refusal), ids.USER_BLOCK)
    if block == ids.OFFICE_BLOCK and entry.action == "revoke":  # it has no office field
        return ids.PRODUCT_BLOCK
    return block


async def _sent(post: Awaitable[Any]) -> None:
    await post
