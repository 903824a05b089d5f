"""The stand-in's workspace: its people and channels, and what the bot has put there."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

TRIGGER_TTL_SECONDS = 3.0
FIRST_TS = 1_700_000_000


@dataclass
class SlackUser:
    id: str
    name: str
    real_name: str
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False
    tz: str = "UTC"
    is_org_admin: bool = False  # an admin or owner of the Enterprise Grid org

    def to_api(self, team_id: str) -> JsonDict:
        """The user as a member of workspace `team_id`, with their roles there."""
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "tz": self.tz,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "team": team_id,
            },
        }


@dataclass
class SlackChannel:
    id: str
    name: str
    is_archived: bool = False
    is_member: bool = True
    shared_with: set[str] = field(default_factory=set)  # team ids it is shared with (Slack Connect)

    def to_api(self, team_id: str, host_team_id: str | None = None) -> JsonDict:
        """The channel as workspace `team_id` sees it; `host_team_id` is the workspace it
        belongs to, when that is another (a channel shared with `team_id`)."""
        shared = bool(self.shared_with)
        extra: JsonDict = {}
        if shared:
            teams = sorted({host_team_id or team_id, *self.shared_with})
            extra = {"shared_team_ids": teams, "connected_team_ids": teams}
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_general": self.name == "general",
            "is_archived": self.is_archived,
            "is_member": self.is_member,
            "is_shared": shared,
            "is_ext_shared": shared,
            "is_org_shared": False,
            "context_team_id": team_id,
            "created": FIRST_TS,
            **extra,
        }


def _default_users() -> list[SlackUser]:
    return [
        SlackUser("UOWNER", "olivia", "Olivia Owens", is_admin=True, is_owner=True),
        SlackUser("UADMIN", "adam", "Adam Adler", is_admin=True),
        SlackUser("UDANA", "dana", "Dana Diaz"),
        SlackUser("UERIK", "erik", "Erik Eriksen"),
        SlackUser("UFAY", "fay", "Fay Fischer"),
        SlackUser("UGUS", "gus", "Gus Garcia"),
        SlackUser("UGONE", "gone", "Former Employee", deleted=True),
        SlackUser("UBOT", "licensebot", "License Bot", is_bot=True),
    ]


def _default_channels() -> list[SlackChannel]:
    return [
        SlackChannel("C0GENERAL", "general"),
        SlackChannel("C0LICENSES", "licenses"),
        SlackChannel("C0ARCHIVED", "old-stuff", is_archived=True),
    ]


@dataclass
class Workspace:
    team_id: str = "T0001"
    team_name: str = "Acme"
    domain: str = "acme"
    app_id: str = "A0001"
    bot_user_id: str = "UBOT"
    bot_id: str = "B0001"
    users: list[SlackUser] = field(default_factory=_default_users)
    channels: list[SlackChannel] = field(default_factory=_default_channels)
    enterprise_id: str | None = None  # set for a workspace of an Enterprise Grid org
    enterprise_name: str | None = None

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"

    @property
    def enterprise(self) -> JsonDict | None:
        """`{"id", "name"}` of its org, as payloads and OAuth answers carry it; None off Grid."""
        if self.enterprise_id is None:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name or self.enterprise_id}

    def user(self, user_id: str) -> SlackUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    def user_by_name(self, name: str) -> SlackUser:
        found = next((u for u in self.users if u.name == name), None)
        if found is None:
            raise KeyError(name)
        return found

    def channel(self, channel_id: str) -> SlackChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channel_by_name(self, name: str) -> SlackChannel | None:
        return next((c for c in self.channels if c.name == name.lstrip("#")), None)


def _count_from_one() -> itertools.count[int]:
    return itertools.count(1)


@dataclass
class WorkspaceState:
    """Messages, ephemerals, open DMs, views, Home tabs and trigger ids, as the Web API left
    them."""

    messages: dict[str, list[JsonDict]] = field(default_factory=dict)
    ephemerals: dict[str, list[JsonDict]] = field(default_factory=dict)
    open_conversations: set[str] = field(default_factory=set)
    views: dict[str, JsonDict] = field(default_factory=dict)
    home_tabs: dict[str, JsonDict] = field(default_factory=dict)
    last_view_id: str | None = None
    triggers: dict[str, float] = field(default_factory=dict)
    trigger_teams: dict[str, str] = field(default_factory=dict)  # the workspace it came from
    trigger_ttl: float | None = TRIGGER_TTL_SECONDS
    _ts_counter: itertools.count[int] = field(default_factory=_count_from_one, init=False)
    _view_counter: itertools.count[int] = field(default_factory=_count_from_one, init=False)

    def next_ts(self) -> str:
        micros = next(self._ts_counter) * 100
        return f"{FIRST_TS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_view_id(self) -> str:
        return f"V{next(self._view_counter):04d}"
