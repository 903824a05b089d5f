"""Buying, removing and restoring seats: the buttons that open the modal, then enter → Next →
review → Confirm. Money moves only on Confirm (see commands.confirm)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.carried import DamagedPayload, Review, SeatAction, SeatEntry, SeatPreset, read
from commands.confirm import ConfirmFlow
from commands.deps import Deps
from commands.listeners.notices import notice_ref
from commands.parsing.fields import SEAT_REQUESTS, seat_request
from commands.submissions import REFUSALS, refuse_click, refuse_submission
from commands.views.seats import seat_review_modal, seats_entry_modal
from licensing import errors
from licensing.errors import LicensingError
from licensing.requests import Purchase
from licensing.schemas import PurchaseQuote, SeatChange

_FIELD_OF_ERROR: dict[type[LicensingError], str] = {
    errors.UnknownProduct: ids.PRODUCT_BLOCK,
    errors.UnknownOffice: ids.OFFICE_BLOCK,
    errors.NotAllowed: ids.OFFICE_BLOCK,
}


def _field_of(refusal: LicensingError) -> str:
    return _FIELD_OF_ERROR.get(type(refusal), ids.COUNT_BLOCK)


class SeatModals:
    def __init__(self, deps: Deps, confirm_flow: ConfirmFlow) -> None:
        self.deps = deps
        self.confirm_flow = confirm_flow

    async def entry(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
    ) -> None:
        try:
            entry = read(SeatEntry, view.get("private_metadata"))
            request = seat_request(entry, view["state"]["values"])
            key, actor = await self.deps.requester(context, client, body)
            quote: PurchaseQuote | SeatChange = await self.deps.quote(key, actor, request)
        except REFUSALS as refusal:
            await refuse_submission(ack, refusal, _field_of)
            return
        if isinstance(request, Purchase) and isinstance(quote, PurchaseQuote):
            request = request.model_copy(update={"priced_at": quote.priced_at})  # as reviewed
        metadata = Review.of(request, quote, entry.notice).dump()
        await ack(
            response_action="update", view=seat_review_modal(request.operation, quote, metadata)
        )

    async def confirm(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
    ) -> None:
        await self.confirm_flow.confirm(ack, body, context, client, view, seat_review_modal)


class SeatButton:
    """A button that opens the seat modal for `action`: from status, a refused assignment or
    a notice."""

    def __init__(self, deps: Deps, action: SeatAction) -> None:
        self.deps = deps
        self.action = action

    async def open(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await self._open(ack, body, context, client, self.action)

    async def _open(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        action: SeatAction,
    ) -> None:
        await ack()
        clicked = body["actions"][0]
        try:
            preset = read(SeatPreset, clicked.get("value"))
            key, actor = await self.deps.requester(context, client, body)
            await self.deps.can_start(key, actor, SEAT_REQUESTS[action])
            offices = await self.deps.call(self.deps.service.office_choices, key, actor)
        except (LicensingError, DamagedPayload) as refusal:
            await refuse_click(body, client, refusal.message)
            return
        notice = notice_ref(body, clicked["block_id"]) if preset.notice else None
        modal = seats_entry_modal(
            action, self.deps.catalog, offices.names, preset, notice, offices.default
        )
        await client.views_open(trigger_id=body["trigger_id"], view=modal)
