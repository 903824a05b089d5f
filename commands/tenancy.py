"""Whose account a request acts on, and who asks. Both come from Bolt's context, which reads
them from every payload shape Slack sends (commands, view submissions, block actions, events)."""

from __future__ import annotations

import asyncio

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from commands.directory import Directory
from commands.port import LicensingPort
from licensing.errors import AccountNotFound, LicensingError
from licensing.schemas import AccountKey, Actor


class NotSetUp(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "licensebot is not set up in this workspace yet: a workspace admin or owner needs to "
            "run `/license status` once to start the free trial."
        )


def account_key(context: AsyncBoltContext) -> AccountKey:
    return AccountKey(team_id=context.team_id or "", enterprise_id=context.enterprise_id or "")


class Tenancy:
    """Resolves the account and actor of a request. The first request of a workspace admin
    opens the account (single-workspace installs have no OAuth step to do it)."""

    def __init__(self, service: LicensingPort, directory: Directory) -> None:
        self.service = service
        self.directory = directory
        self._known_accounts: set[AccountKey] = set()

    async def requester(
        self, context: AsyncBoltContext, client: AsyncWebClient
    ) -> tuple[AccountKey, Actor]:
        key = account_key(context)
        user = context.user_id or ""
        actor = await self.directory.actor(client, key, user)
        if key in self._known_accounts:  # accounts are never deleted, only their instance data
            return key, actor
        try:
            await asyncio.to_thread(self.service.office_names, key, actor)
        except AccountNotFound:
            if not actor.workspace_admin:
                raise NotSetUp() from None
            await asyncio.to_thread(self.service.install, key, actor.user_id)
        self._known_accounts.add(key)
        return key, actor
