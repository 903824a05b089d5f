"""What every listener shares: the licensing port, the catalog, who is who in Slack, and
somewhere to run work that must not hold up Slack's answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands.directory import Directory
from commands.port import BillingPort, LicensingPort
from commands.tenancy import Tenancy
from licensing.catalog import Catalog
from licensing.requests import R, Request
from licensing.schemas import AccountKey, Actor

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class Deps:
    service: LicensingPort
    catalog: Catalog
    directory: Directory = field(default_factory=Directory)
    # Asks the notice dispatcher to run now rather than at its next interval.
    deliver_soon: Callable[[], None] = lambda: None
    # Where invoices are collected: the card page; None where they are records only.
    billing: BillingPort | None = None
    card_return_url: str = "https://slack.com/"
    tenancy: Tenancy = field(init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.tenancy = Tenancy(self.service, self.directory)

    async def requester(
        self, context: AsyncBoltContext, client: AsyncWebClient, body: dict[str, Any]
    ) -> tuple[AccountKey, Actor]:
        return await self.tenancy.requester(context, client, body)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a service call off the event loop: it may wait for a database lock."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def can_start(
        self, account: AccountKey, actor: Actor, request_type: type[Request[Any]]
    ) -> None:
        await asyncio.to_thread(self.service.can_start, account, actor, request_type)

    async def quote(self, account: AccountKey, actor: Actor, request: Request[R]) -> R:
        return await asyncio.to_thread(self.service.quote, account, actor, request)

    async def handle(
        self,
        account: AccountKey,
        actor: Actor,
        request: Request[R],
        idempotency_key: str | None = None,
        *,
        shown: BaseModel | None = None,
    ) -> R:
        return await asyncio.to_thread(
            lambda: self.service.handle(account, actor, request, idempotency_key, shown=shown)
        )

    async def card_page(self, account: AccountKey, actor: Actor) -> str | None:
        """A fresh link to the card page (company admins only), or None where invoices are
        records only."""
        if self.billing is None:
            return None
        return await asyncio.to_thread(
            self.billing.card_setup_link, account, actor, self.card_return_url
        )

    def after_ack(self, work: Coroutine[Any, Any, None]) -> None:
        """Slow work (posting to a channel) that must not hold up Slack's answer."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    async def settle(self) -> None:
        """Wait for the work started after acks (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("work after the ack failed", exc_info=task.exception())
