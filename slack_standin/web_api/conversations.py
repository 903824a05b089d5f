"""The `conversations.*` methods, and the channel (or DM) a call names."""

from __future__ import annotations

import copy

from slack_standin.arguments import ApiError, int_param, param
from slack_standin.directory import Scope
from slack_standin.web_api.users import dm_user
from slack_standin.workspace import JsonDict, SlackChannel, Workspace, WorkspaceState


class Conversations:
    def __init__(self, state: WorkspaceState) -> None:
        self.state = state

    def conversations_info(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel_id = param(params, "channel", "channel_not_found")
        if channel_id in self.state.open_conversations:
            return {"channel": self._im_json(channel_id)}
        found = scope.channel(channel_id)
        if found is None:
            raise ApiError("channel_not_found")
        channel, host = found
        return {"channel": channel.to_api(viewer(scope, channel, host).team_id, host.team_id)}

    def conversations_open(self, params: JsonDict, scope: Scope) -> JsonDict:
        if params.get("channel"):
            channel_id = self.existing_channel(scope, str(params["channel"]))
            return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
        users = params.get("users")
        user_ids = users if isinstance(users, list) else str(users or "").split(",")
        dm_users = [dm_user(scope, uid.strip()).id for uid in user_ids if uid]
        channel_id = self.open_with(dm_users)
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def conversations_history(self, params: JsonDict, scope: Scope) -> JsonDict:
        """Newest first; message metadata only with `include_all_metadata`, as Slack does."""
        channel = self.existing_channel(scope, param(params, "channel", "channel_not_found"))
        latest, oldest = params.get("latest"), params.get("oldest")
        inclusive = str(params.get("inclusive")).lower() in ("true", "1")
        with_metadata = str(params.get("include_all_metadata")).lower() in ("true", "1")
        found = []
        for message in reversed(self.state.messages.get(channel, [])):
            ts = float(message["ts"])
            if latest is not None and (
                ts > float(latest) or (ts == float(latest) and not inclusive)
            ):
                continue
            if oldest is not None and (
                ts < float(oldest) or (ts == float(oldest) and not inclusive)
            ):
                continue
            shown = copy.deepcopy(message)
            if not with_metadata:
                shown.pop("metadata", None)
            found.append(shown)
        limit = int_param(params, "limit", 100)
        return {"messages": found[:limit], "has_more": len(found) > limit}

    def open_with(self, user_ids: list[str]) -> str:
        if not user_ids:
            raise ApiError("users_list_not_supplied")
        channel_id = "D" + user_ids[0] if len(user_ids) == 1 else "G" + "".join(sorted(user_ids))
        self.state.open_conversations.add(channel_id)
        return channel_id

    def _im_json(self, channel_id: str) -> JsonDict:
        return {"id": channel_id, "is_im": True, "user": channel_id[1:], "is_open": True}

    def existing_channel(self, scope: Scope, channel_id: str) -> str:
        """A channel the token's workspace has (or that is shared with it); else, for a token
        of another workspace, `channel_not_found` as Slack answers."""
        if channel_id in self.state.open_conversations:
            return channel_id
        found = scope.channel(channel_id) or scope.channel_by_name(channel_id)
        if found is None:
            raise ApiError("channel_not_found")
        channel, _ = found
        if channel.is_archived:
            raise ApiError("is_archived")
        return channel.id


def viewer(scope: Scope, channel: SlackChannel, host: Workspace) -> Workspace:
    """The token's workspace that sees `channel`: its host, or one it is shared with."""
    if host.team_id in scope.team_ids:
        return host
    return next((w for w in scope.own if w.team_id in channel.shared_with), scope.home)
