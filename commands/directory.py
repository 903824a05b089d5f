"""Who a Slack user is: looked up with users.info and kept briefly, so most requests make
no Web API call before they answer."""

from __future__ import annotations

import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from licensing.schemas import AccountKey, Actor


@dataclass(frozen=True)
class SlackPerson:
    user_id: str
    workspace_admin: bool
    active: bool  # in the workspace: not deleted, not a bot


class Directory:
    """Kept per workspace: on Enterprise Grid one user id spans several workspaces, and what
    Slack says of the user in one never applies in another."""

    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self._ttl = ttl_seconds
        self._cache: dict[tuple[AccountKey, str], tuple[float, SlackPerson | None]] = {}

    async def person(
        self, client: AsyncWebClient, account: AccountKey, user_id: str
    ) -> SlackPerson | None:
        cached = self._cache.get((account, user_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        person = await self._lookup(client, user_id, account.org_wide)
        self._cache[(account, user_id)] = (time.monotonic() + self._ttl, person)
        return person

    async def actor(self, client: AsyncWebClient, account: AccountKey, user_id: str) -> Actor:
        person = await self.person(client, account, user_id)
        return Actor(user_id=user_id, workspace_admin=bool(person and person.workspace_admin))

    @staticmethod
    async def _lookup(client: AsyncWebClient, user_id: str, org_wide: bool) -> SlackPerson | None:
        """Installed org-wide, the org's owners and admins are the admins."""
        try:
            user = (await client.users_info(user=user_id))["user"]
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                return None
            raise
        rights = (user.get("enterprise_user") or {}) if org_wide else user
        return SlackPerson(
            user_id=user_id,
            workspace_admin=bool(rights.get("is_admin") or rights.get("is_owner")),
            active=not user.get("deleted") and not user.get("is_bot"),
        )
