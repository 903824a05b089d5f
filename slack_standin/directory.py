"""The workspaces the stand-in holds, the Enterprise Grid orgs they form, and what a token can
see from where it acts: its own workspace (or, org-wide, every workspace of its org) and the
channels other workspaces share with it through Slack Connect."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from slack_standin.workspace import SlackChannel, SlackUser, Workspace


class Directory:
    """Every workspace, the first one first. Channel ids are unique across them, as in Slack;
    a user id may appear in several workspaces only within one org (Grid users span the org's
    workspaces, each with its own roles).

    Workspaces, channels and users are found through indexes kept as workspaces are added,
    so that a stand-in of ten thousand workspaces answers as fast as one of a few. A channel
    added to a workspace afterwards is still found, by looking through every workspace."""

    def __init__(self, workspaces: Iterable[Workspace]) -> None:
        self.workspaces: list[Workspace] = []
        self._teams: dict[str, Workspace] = {}
        self._channel_hosts: dict[str, Workspace] = {}
        self._user_homes: dict[str, list[Workspace]] = {}
        for workspace in workspaces:
            self.add(workspace)

    def add(self, workspace: Workspace) -> None:
        if self.team(workspace.team_id) is not None:
            raise ValueError(f"workspace {workspace.team_id} is already there")
        for other in self._clashing(workspace):
            clashing = {c.id for c in other.channels} & {c.id for c in workspace.channels}
            if clashing:
                raise ValueError(
                    f"channel ids {sorted(clashing)} of {workspace.team_id} are already "
                    f"{other.team_id}'s; give each workspace its own channels"
                )
            same_org = other.enterprise_id is not None and (
                other.enterprise_id == workspace.enterprise_id
            )
            shared_users = {u.id for u in other.users} & {u.id for u in workspace.users}
            if shared_users and not same_org:
                raise ValueError(
                    f"user ids {sorted(shared_users)} of {workspace.team_id} are already "
                    f"{other.team_id}'s, not in the same org; give each org its own users"
                )
        self.workspaces.append(workspace)
        self._teams[workspace.team_id] = workspace
        for channel in workspace.channels:
            self._channel_hosts.setdefault(channel.id, workspace)
        for user in workspace.users:
            self._user_homes.setdefault(user.id, []).append(workspace)

    def _clashing(self, workspace: Workspace) -> list[Workspace]:
        """The workspaces already there with one of its channel or user ids, in order."""
        found = {id(w): w for c in workspace.channels if (w := self._channel_hosts.get(c.id))}
        for user in workspace.users:
            found |= {id(w): w for w in self._user_homes.get(user.id, [])}
        if not found:  # the usual case, answered without a look at every workspace
            return []
        return [w for w in self.workspaces if id(w) in found]

    @property
    def first(self) -> Workspace:
        return self.workspaces[0]

    def team(self, team_id: str) -> Workspace | None:
        return self._teams.get(team_id)

    def org(self, enterprise_id: str) -> list[Workspace]:
        return [w for w in self.workspaces if w.enterprise_id == enterprise_id]

    def host(self, channel_id: str) -> tuple[SlackChannel, Workspace] | None:
        """The channel and the workspace it belongs to."""
        indexed = self._channel_hosts.get(channel_id)
        channel = indexed.channel(channel_id) if indexed else None
        if indexed is not None and channel is not None:
            return channel, indexed
        for workspace in self.workspaces:
            channel = workspace.channel(channel_id)
            if channel is not None:
                return channel, workspace
        return None


@dataclass(frozen=True)
class Scope:
    """Where one token acts: `own` is its workspace, or every workspace of its org when the app
    is installed org-wide (`enterprise_id` set, `org_wide` true)."""

    directory: Directory
    own: tuple[Workspace, ...]
    enterprise_id: str | None
    org_wide: bool = False

    @property
    def home(self) -> Workspace:
        """The workspace the token answers as: its own, or the org's first."""
        return self.own[0]

    @property
    def team_ids(self) -> frozenset[str]:
        return frozenset(w.team_id for w in self.own)

    def user(self, user_id: str) -> tuple[SlackUser, Workspace] | None:
        """The user as a member of one of the token's workspaces, or else of a workspace that
        shares a channel with one of them (an external member of a Slack Connect channel)."""
        found = _user_in(self.own, user_id)
        return found if found is not None else _user_in(self.connected(), user_id)

    def channel(self, channel_id: str) -> tuple[SlackChannel, Workspace] | None:
        """A channel of one of the token's workspaces, or shared with one of them; with the
        workspace it belongs to."""
        found = self.directory.host(channel_id)
        if found is None:
            return None
        channel, host = found
        if host.team_id in self.team_ids or channel.shared_with & self.team_ids:
            return found
        return None

    def channel_by_name(self, name: str) -> tuple[SlackChannel, Workspace] | None:
        for workspace in self.own:
            channel = workspace.channel_by_name(name)
            if channel is not None:
                return channel, workspace
        return None

    def connected(self) -> list[Workspace]:
        """Other workspaces that share a channel with the token's, either way round."""
        mine = self.team_ids
        found: list[Workspace] = []
        for workspace in self.directory.workspaces:
            if workspace.team_id in mine:
                continue
            theirs_shared = any(c.shared_with & mine for c in workspace.channels)
            mine_shared = any(
                workspace.team_id in c.shared_with for w in self.own for c in w.channels
            )
            if theirs_shared or mine_shared:
                found.append(workspace)
        return found


def _user_in(workspaces: Iterable[Workspace], user_id: str) -> tuple[SlackUser, Workspace] | None:
    for workspace in workspaces:
        user = workspace.user(user_id)
        if user is not None:
            return user, workspace
    return None
