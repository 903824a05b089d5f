"""The Confirm of a review modal: apply exactly what the review showed, once per view.

The view id is the idempotency key, so a double click or a replayed payload acts once. The
service re-prices the request in its own transaction and applies it only if the terms are those
shown; otherwise the admin gets the new review instead, and nothing has changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from commands.carried import DamagedPayload, Review, read
from commands.deps import Deps
from commands.notice_updates import NoticeUpdates, still_scheduled
from commands.views.common import done_modal
from commands.views.notices import done_text
from licensing.errors import LicensingError, QuoteChanged, QuoteExpired
from licensing.requests import Purchase, Request
from licensing.schemas import AccountKey, Actor, PurchaseQuote

# Builds a review modal from an operation, its quote, the metadata to carry and a note.
ReviewModal = Callable[[str, Any, str, str | None], View]
CHANGED = "The figures changed since you reviewed them. Check them again before confirming."


class ConfirmFlow:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.notices = NoticeUpdates(deps.service.clock)

    async def confirm(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        view: dict[str, Any],
        review_modal: ReviewModal,
    ) -> None:
        try:
            review = read(Review, view.get("private_metadata"))
            request, shown = review.reviewed()
            key, actor = await self.deps.requester(context, client, body)
            result = await self.deps.handle(key, actor, request, f"view:{view['id']}", shown=shown)
        except (QuoteChanged, QuoteExpired):
            again = await self._review_again(key, actor, request, review, review_modal)
            await ack(response_action="update", view=again)
            return
        except (LicensingError, DamagedPayload) as refusal:
            await ack(response_action="update", view=done_modal("Nothing changed", refusal.message))
            return
        text = done_text(request.operation, result, actor.user_id)
        await ack(response_action="update", view=done_modal("Done", text))
        self.deps.deliver_soon()  # the change's log line, written in its transaction
        if review.notice:
            remaining = still_scheduled(request, result)
            update = self.notices.after_modal(
                client, review.notice, text, result.time_zone, remaining
            )
            self.deps.after_ack(update)

    async def _review_again(
        self,
        key: AccountKey,
        actor: Actor,
        request: Request[Any],
        review: Review,
        review_modal: ReviewModal,
    ) -> View:
        """The review of the same request priced now, or why it can no longer be done."""
        if isinstance(request, Purchase):
            request = request.model_copy(update={"priced_at": None})
        try:
            quote: BaseModel = await self.deps.quote(key, actor, request)
        except LicensingError as refusal:
            return done_modal("Nothing changed", refusal.message)
        if isinstance(request, Purchase) and isinstance(quote, PurchaseQuote):
            request = request.model_copy(update={"priced_at": quote.priced_at})
        metadata = Review.of(request, quote, review.notice).dump()
        return review_modal(request.operation, quote, metadata, CHANGED)
