"""licensebot leaving a workspace: on `app_uninstalled` and `tokens_revoked`, the installation
and its tokens are deleted (as Slack requires) and notices still waiting for the workspace are
given up as undeliverable. The subscription is left as it is: leaving Slack is not cancelling."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from commands.deps import Deps
from commands.tenancy import account_key

log = logging.getLogger(__name__)
UNINSTALLED = "licensebot was uninstalled from the workspace"
REVOKED = "licensebot's bot token was revoked"


class Installations:
    def __init__(self, deps: Deps, store: AsyncInstallationStore | None) -> None:
        """`store`: where OAuth installs are kept (None with a single bot token)."""
        self.deps = deps
        self.revocations = AsyncTokenRevocationListeners(store) if store else None

    async def app_uninstalled(self, context: AsyncBoltContext) -> None:
        if self.revocations:
            await self.revocations.handle_app_uninstalled_events(context)
        await self._left(context, UNINSTALLED)

    async def tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        if self.revocations:
            await self.revocations.handle_tokens_revoked_events(event, context)
        if (event.get("tokens") or {}).get("bot"):
            await self._left(context, REVOKED)

    async def _left(self, context: AsyncBoltContext, reason: str) -> None:
        key = account_key(context)
        given_up = await asyncio.to_thread(self.deps.service.uninstalled, key, reason)
        log.warning("%s (%s): %d undeliverable notices", reason, key, given_up)
