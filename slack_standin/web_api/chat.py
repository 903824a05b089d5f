"""The `chat.*` methods, and the changes a response_url makes to a message."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from slack_standin.arguments import ApiError, check_message_content, param
from slack_standin.directory import Directory, Scope
from slack_standin.web_api.conversations import Conversations, viewer
from slack_standin.web_api.users import dm_user, find_user
from slack_standin.workspace import JsonDict, WorkspaceState

_USER_ID_PREFIXES = ("U", "W")  # Slack's user ids; channels' start with C, G or D


class Chat:
    def __init__(
        self, directory: Directory, state: WorkspaceState, conversations: Conversations
    ) -> None:
        self.directory = directory
        self.state = state
        self.conversations = conversations

    def chat_post_message(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self._post_target(scope, param(params, "channel", "channel_not_found"))
        check_message_content(params)
        message = self._new_message(scope, channel, params)
        self.state.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def chat_post_ephemeral(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self._post_target(scope, param(params, "channel", "channel_not_found"))
        user, _ = find_user(scope, param(params, "user", "user_not_found"))
        check_message_content(params)
        message = {**self._new_message(scope, channel, params), "ephemeral_to": user.id}
        self.state.ephemerals.setdefault(channel, []).append(message)
        return {"message_ts": message["ts"]}

    def chat_update(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self.conversations.existing_channel(
            scope, param(params, "channel", "channel_not_found")
        )
        message = self.find_message(channel, param(params, "ts", "message_not_found"))
        check_message_content({**message, **params})
        self.edit_message(message, params)
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def chat_get_permalink(self, params: JsonDict, scope: Scope) -> JsonDict:
        channel = self.conversations.existing_channel(
            scope, param(params, "channel", "channel_not_found")
        )
        ts = self.find_message(channel, param(params, "message_ts", "message_not_found"))["ts"]
        found = scope.channel(channel)
        where = viewer(scope, *found) if found else scope.home
        permalink = f"{where.url}archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": permalink}

    def find_message(self, channel: str, ts: str) -> JsonDict:
        found = next((m for m in self.state.messages.get(channel, []) if m["ts"] == ts), None)
        if found is None:
            raise ApiError("message_not_found")
        return found

    def edit_message(self, message: JsonDict, changes: Mapping[str, Any]) -> None:
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in changes:
                message[key] = copy.deepcopy(changes[key])
        editor = message.get("user") or self.directory.first.bot_user_id
        message["edited"] = {"user": editor, "ts": self.state.next_ts()}

    def delete_message(self, channel: str, ts: str) -> None:
        kept = [m for m in self.state.messages.get(channel, []) if m["ts"] != ts]
        self.state.messages[channel] = kept

    def _post_target(self, scope: Scope, channel: str) -> str:
        """Resolve a channel id, a #name, an open DM, or a user id (which posts to their DM)."""
        if channel.startswith(_USER_ID_PREFIXES) and scope.user(channel) is not None:
            return self.conversations.open_with([dm_user(scope, channel).id])
        channel_id = self.conversations.existing_channel(scope, channel)
        found = scope.channel(channel_id)
        if found is not None and not found[0].is_member:
            raise ApiError("not_in_channel")
        return channel_id

    def _new_message(self, scope: Scope, channel: str, params: Mapping[str, Any]) -> JsonDict:
        extra = {k: copy.deepcopy(v) for k, v in params.items() if k not in ("channel", "user")}
        return {
            **extra,
            "type": "message",
            "channel": channel,
            "ts": self.state.next_ts(),
            "user": scope.home.bot_user_id,
            "bot_id": scope.home.bot_id,
            "text": str(params.get("text") or ""),
            "blocks": copy.deepcopy(params.get("blocks") or []),
        }
