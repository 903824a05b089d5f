"""The App Home tab: each office's pools, the period and the next invoice."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands.deps import Deps
from commands.views.status import home_view
from licensing.errors import LicensingError


class HomeTab:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def opened(
        self,
        event: dict[str, Any],
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        if event.get("tab") != "home":
            return
        try:
            key, actor = await self.deps.requester(context, client, body)
            view = home_view(await self.deps.call(self.deps.service.status, key, actor))
        except LicensingError as refusal:
            view = home_view(None, refusal.message)
        await client.views_publish(user_id=event["user"], view=view)
