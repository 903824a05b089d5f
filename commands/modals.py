"""The seat modals: enter → Next → review → Confirm. Money moves only on Confirm, once per
view: the view id is the idempotency key, so a double click or a replayed payload charges once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.deps import Deps
from commands.views.seats import (
    purchase_done_text,
    purchase_review_modal,
    seat_change_done_text,
    seat_change_review_modal,
)
from licensing import errors
from licensing.errors import LicensingError
from licensing.schemas import AccountKey, Actor, PurchaseQuote, SeatChange

_FIELD_OF_ERROR: dict[type[LicensingError], str] = {
    errors.UnknownProduct: ids.PRODUCT_BLOCK,
    errors.UnknownOffice: ids.OFFICE_BLOCK,
    errors.NotAllowed: ids.OFFICE_BLOCK,
}


class SeatModals:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def entry(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: dict[str, Any]
    ) -> None:
        metadata = json.loads(view["private_metadata"])
        values = view["state"]["values"]
        count_text = values[ids.COUNT_BLOCK][ids.COUNT_ACTION].get("value") or ""
        if not count_text.strip().isascii() or not count_text.strip().isdigit():
            await ack(
                response_action="errors",
                errors={ids.COUNT_BLOCK: "Enter a whole number of seats, e.g. 3."},
            )
            return
        request = {
            **metadata,
            "count": int(count_text),
            "product": values[ids.PRODUCT_BLOCK][ids.PRODUCT_ACTION]["selected_option"]["value"],
            "office": values[ids.OFFICE_BLOCK][ids.OFFICE_ACTION]["selected_option"]["value"],
        }
        try:
            key, actor = await self.deps.requester(client, body)
            review = await self._review(key, actor, request)
        except LicensingError as refusal:
            block = _FIELD_OF_ERROR.get(type(refusal), ids.COUNT_BLOCK)
            await ack(response_action="errors", errors={block: refusal.message})
            return
        await ack(response_action="update", view=review)

    async def _review(self, key: AccountKey, actor: Actor, request: dict[str, Any]) -> Any:
        service, call = self.deps.service, self.deps.call
        args = (key, actor, request["count"], request["product"], request["office"])
        status = await call(service.status, key, actor)
        tz = status.subscription.time_zone
        if request["action"] == "buy":
            quote = await call(service.quote_purchase, *args)
            metadata = {**request, "priced_at": quote.priced_at.isoformat()}
            return purchase_review_modal(quote, tz, metadata)
        quote_fn = service.quote_removal if request["action"] == "remove" else service.quote_restore
        change = await call(quote_fn, *args)
        return seat_change_review_modal(request["action"], change, tz, request)

    async def confirm(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: dict[str, Any]
    ) -> None:
        await self.deps.confirm(ack, body, client, view, self._apply)

    async def _apply(
        self, key: AccountKey, actor: Actor, request: dict[str, Any], idempotency_key: str
    ) -> str:
        service, call = self.deps.service, self.deps.call
        action = request["action"]
        args = (key, actor, request["count"], request["product"], request["office"])
        if action == "buy":
            priced_at = datetime.fromisoformat(request["priced_at"])
            quote: PurchaseQuote = await call(
                service.purchase, *args, idempotency_key=idempotency_key, priced_at=priced_at
            )
            return purchase_done_text(quote, actor.user_id)
        apply_fn = service.schedule_removal if action == "remove" else service.restore
        change: SeatChange = await call(apply_fn, *args, idempotency_key=idempotency_key)
        tz = (await call(service.status, key, actor)).subscription.time_zone
        return seat_change_done_text(action, change, actor.user_id, tz)
