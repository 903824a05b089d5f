"""What every handler needs, and the steps they share: whose account, who asks."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from commands.directory import Directory
from commands.views.common import done_modal, when
from commands.views.notices import notice_after_action
from licensing.catalog import Catalog
from licensing.errors import AccountNotFound, LicensingError
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService

P = ParamSpec("P")
# Applies a confirmed request (its private metadata) under an idempotency key; says what it did.
Apply = Callable[[AccountKey, Actor, dict[str, Any], str], Awaitable[str]]
T = TypeVar("T")
log = logging.getLogger(__name__)


class NotSetUp(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "licensebot is not set up in this workspace yet: a workspace admin or owner needs to "
            "run `/license status` once to start the free trial."
        )


@dataclass
class Deps:
    service: LicensingService
    catalog: Catalog
    directory: Directory = field(default_factory=Directory)
    # Asks the notice dispatcher to run now rather than at its next interval.
    deliver_soon: Callable[[], None] = lambda: None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _known_accounts: set[AccountKey] = field(default_factory=set)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a service call off the event loop: it may wait for a database lock."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def after_ack(self, work: Coroutine[Any, Any, None]) -> None:
        """Slow work (posting to a channel) that must not hold up Slack's answer."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("work after the ack failed", exc_info=task.exception())

    async def requester(
        self, client: AsyncWebClient, body: dict[str, Any]
    ) -> tuple[AccountKey, Actor]:
        """The account and the actor of a request. The first request of a workspace admin opens
        the account (single-workspace installs have no OAuth step to do it)."""
        key = account_key(body)
        actor = await self.directory.actor(client, user_id(body))
        if key in self._known_accounts:  # accounts are never deleted, only their instance data
            return key, actor
        try:
            await self.call(self.service.office_names, key, actor)
        except AccountNotFound:
            if not actor.workspace_admin:
                raise NotSetUp() from None
            await self.call(self.service.install, key, actor.user_id)
        self._known_accounts.add(key)
        return key, actor

    async def confirm(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        view: dict[str, Any],
        apply: Apply,
    ) -> None:
        """The Confirm of a review modal: apply it once per view (the view id is the
        idempotency key) and show what was done. The service logs it in the notice channel
        through the outbox, in the same transaction."""
        request = json.loads(view["private_metadata"])
        idempotency_key = f"view:{view['id']}"
        try:
            key, actor = await self.requester(client, body)
            text = await apply(key, actor, request, idempotency_key)
        except LicensingError as refusal:
            await ack(response_action="update", view=done_modal("Nothing changed", refusal.message))
            return
        await ack(response_action="update", view=done_modal("Done", text))
        self.deliver_soon()
        if request.get("notice"):
            self.after_ack(self.update_notice(client, key, actor, request["notice"], text))

    async def update_notice(
        self,
        client: AsyncWebClient,
        key: AccountKey,
        actor: Actor,
        notice: dict[str, str],
        text: str,
    ) -> None:
        """Replace the buttons of the notice that opened a confirmed modal with what was done."""
        history = await client.conversations_history(
            channel=notice["channel"], latest=notice["ts"], inclusive=True, limit=1
        )
        found = [m for m in history.get("messages") or [] if m.get("ts") == notice["ts"]]
        if found:
            tz = (await self.call(self.service.status, key, actor)).subscription.time_zone
            await self.mark_notice(client, notice["channel"], found[0], notice["block"], text, tz)

    async def mark_notice(
        self,
        client: AsyncWebClient,
        channel: str,
        message: dict[str, Any],
        block_id: str,
        outcome: str,
        time_zone: str,
    ) -> None:
        """Say on the notice what was done and when, in place of the buttons that did it."""
        stamp = when(self.service.clock.now(), time_zone)
        blocks = notice_after_action(message["blocks"], block_id, f"{outcome} · {stamp}")
        await client.chat_update(
            channel=channel, ts=message["ts"], text=message.get("text") or "", blocks=blocks
        )


def account_key(body: dict[str, Any]) -> AccountKey:
    team = body.get("team_id") or (body.get("team") or {}).get("id") or body["user"]["team_id"]
    enterprise = body.get("enterprise_id") or (body.get("enterprise") or {}).get("id") or ""
    return AccountKey(team_id=team, enterprise_id=enterprise)


def user_id(body: dict[str, Any]) -> str:
    user = body.get("user_id") or body["user"]["id"]
    assert isinstance(user, str)
    return user
