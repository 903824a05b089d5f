"""The seeded workspace's people and channels, by id and by the names a person types."""

from __future__ import annotations

import re

from slack_standin.workspace import SlackChannel, SlackUser, Workspace

_MENTION = re.compile(r"(?<![<\w])([@#])([\w.-]+)")


class WorkspaceNames:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def user_name(self, user_id: str) -> str:
        user = self.workspace.user(user_id)
        return user.name if user else user_id

    def channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return f"DM with @{self.user_name(channel_id[1:])}"
        channel = self.workspace.channel(channel_id)
        return channel.name if channel else channel_id

    def where(self, channel_id: str) -> str:
        """A channel as a heading: `#licenses`, or `DM with @olivia`."""
        name = self.channel_name(channel_id)
        return name if channel_id.startswith("D") else f"#{name}"

    def find_user(self, given: str) -> SlackUser | None:
        """`@dana`, `dana`, `UDANA` or `<@UDANA>`."""
        key = given.strip().removeprefix("<").removesuffix(">").lstrip("@").lower()
        return next(
            (u for u in self.workspace.users if key in (u.id.lower(), u.name.lower())), None
        )

    def find_channel(self, given: str) -> SlackChannel | None:
        """`#licenses`, `licenses` or `C0LICENSES`."""
        key = given.strip().lstrip("#").lower()
        return next(
            (c for c in self.workspace.channels if key in (c.id.lower(), c.name.lower())), None
        )

    def escape(self, typed: str) -> str:
        """A command's text as Slack sends it with `should_escape`: `@dana` as `<@UDANA|dana>`
        and `#licenses` as `<#C0LICENSES|licenses>`; names no one has stay as typed."""
        return _MENTION.sub(self._escaped, typed)

    def _escaped(self, match: re.Match[str]) -> str:
        sign, name = match.groups()
        if sign == "@":
            user = self.find_user(name)
            return f"<@{user.id}|{user.name}>" if user else match.group()
        channel = self.find_channel(name)
        return f"<#{channel.id}|{channel.name}>" if channel else match.group()

    def people(self) -> str:
        """Everyone a sandbox user can act as, for help and error messages."""
        return ", ".join(f"@{u.name}" for u in self.workspace.users if not (u.is_bot or u.deleted))
