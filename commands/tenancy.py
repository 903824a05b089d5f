"""Whose account a request acts on, and who asks.

The account is the installation that authorised the request (Bolt's `authorize_result`), the
same for commands, modals, buttons and events: a workspace, or the whole org when licensebot
was installed org-wide. The asker is a member at most when they belong elsewhere (a user of
another workspace or organisation in a Slack Connect channel): what Slack says of them in their
own workspace never applies here."""

from __future__ import annotations

import asyncio
from typing import Any

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
    installed = context.authorize_result
    team = (installed.team_id if installed else None) or context.team_id
    enterprise = (installed.enterprise_id if installed else None) or context.enterprise_id
    return AccountKey.of_installation(team, enterprise, bool(context.is_enterprise_install))


def belongs_elsewhere(account: AccountKey, body: dict[str, Any]) -> bool:
    """Whether the user who sent `body` is from outside the account's workspace (or org)."""
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    if account.org_wide:
        enterprise = _enterprise_of(body)
        return enterprise is not None and enterprise != account.enterprise_id
    team = (user or {}).get("team_id") or (body.get("team_id") if "command" in body else None)
    return team is not None and team != account.team_id


def _enterprise_of(body: dict[str, Any]) -> str | None:
    team = body.get("team") if isinstance(body.get("team"), dict) else {}
    enterprise = body.get("enterprise") if isinstance(body.get("enterprise"), dict) else {}
    if "command" in body:
        return body.get("enterprise_id") or ""
    if "user" not in body:  # an event: its user is where the app is
        return None
    return (team or {}).get("enterprise_id") or (enterprise or {}).get("id") or ""


class Tenancy:
    """Resolves the account and actor of a request. The first request of a workspace admin
    opens the account (single-workspace installs have no OAuth step to do it)."""

    def __init__(self, service: LicensingPort, directory: Directory) -> None:
        self.service = service
        self.directory = directory
        self._known_accounts: set[AccountKey] = set()

    async def requester(
        self, context: AsyncBoltContext, client: AsyncWebClient, body: dict[str, Any]
    ) -> tuple[AccountKey, Actor]:
        key = account_key(context)
        user = context.user_id or ""
        if belongs_elsewhere(key, body):
            actor = Actor(user_id=user, external=True)
        else:
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
