"""The subscription modals: subscribe (enter → Next → review → Confirm), cancel and
reactivate (review → Confirm). The view id is the idempotency key of the confirmation."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands import ids
from commands.deps import Deps
from commands.parsing import LicenseCommand
from commands.views.subscription import (
    cancel_review_modal,
    reactivate_review_modal,
    subscribe_entry_modal,
    subscribe_review_modal,
    subscription_done_text,
)
from licensing.calendar import Interval
from licensing.errors import LicensingError, NotAllowed, SeatsBelowAssigned
from licensing.schemas import AccountKey, Actor, PoolTarget


class SubscriptionModals:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def open(
        self,
        command: LicenseCommand,
        key: AccountKey,
        actor: Actor,
        trigger_id: str,
        client: AsyncWebClient,
    ) -> None:
        status = await self.deps.call(self.deps.service.status, key, actor)
        if not status.is_company_admin:  # refused early here, and again on Confirm
            raise NotAllowed("change the subscription", "company admins")
        modal = {
            "subscribe": lambda: subscribe_entry_modal(status, command.text.strip() or None),
            "cancel": lambda: cancel_review_modal(status),
            "reactivate": lambda: reactivate_review_modal(status),
        }[command.action or "subscribe"]()
        await client.views_open(trigger_id=trigger_id, view=modal)

    async def entry(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: dict[str, Any]
    ) -> None:
        values = view["state"]["values"]
        interval = values[ids.INTERVAL_BLOCK][ids.INTERVAL_ACTION]["selected_option"]["value"]
        targets, bad = _targets(values)
        if bad:
            await ack(response_action="errors", errors=bad)
            return
        try:
            key, actor = await self.deps.requester(client, body)
            service, call = self.deps.service, self.deps.call
            quote = await call(service.quote_subscribe, key, actor, Interval(interval), targets)
            tz = (await call(service.status, key, actor)).subscription.time_zone
        except LicensingError as refusal:
            await ack(response_action="errors", errors={_field_of(refusal): refusal.message})
            return
        metadata = {
            **json.loads(view["private_metadata"]),
            "interval": interval,
            "targets": [t.model_dump() for t in targets],
        }
        await ack(response_action="update", view=subscribe_review_modal(quote, tz, metadata))

    async def confirm(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: dict[str, Any]
    ) -> None:
        await self.deps.confirm(ack, body, client, view, self._apply)

    async def _apply(
        self, key: AccountKey, actor: Actor, request: dict[str, Any], idempotency_key: str
    ) -> str:
        service, call = self.deps.service, self.deps.call
        action = request["action"]
        tz = (await call(service.status, key, actor)).subscription.time_zone
        if action == "subscribe":
            targets = [PoolTarget.model_validate(t) for t in request["targets"]]
            result: Any = await call(
                service.subscribe,
                key,
                actor,
                Interval(request["interval"]),
                targets,
                idempotency_key=idempotency_key,
            )
        elif action == "cancel":
            result = await call(service.cancel, key, actor, idempotency_key=idempotency_key)
        else:
            result = await call(service.reactivate, key, actor, idempotency_key=idempotency_key)
        return subscription_done_text(action, result, actor.user_id, tz)


def _field_of(refusal: LicensingError) -> str:
    """The pool's seats field for a count below its assigned seats; the billing field else."""
    if isinstance(refusal, SeatsBelowAssigned):
        return f"{ids.POOL_SEATS_PREFIX}{refusal.office}|{refusal.product_id}"
    return ids.INTERVAL_BLOCK


def _targets(values: dict[str, Any]) -> tuple[list[PoolTarget], dict[str, str]]:
    targets, errors = [], {}
    for block_id, fields in values.items():
        if not block_id.startswith(ids.POOL_SEATS_PREFIX):
            continue
        office, product = block_id.removeprefix(ids.POOL_SEATS_PREFIX).split("|", 1)
        text = (fields[ids.COUNT_ACTION].get("value") or "").strip()
        if not (text.isascii() and text.isdigit()):
            errors[block_id] = "Enter a whole number of seats, 0 or more."
            continue
        targets.append(PoolTarget(product=product, office=office, seats=int(text)))
    return targets, errors
