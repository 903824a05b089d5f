"""`SlackPayloads`: the slash commands, interactivity payloads and events Slack sends an app,
built as Slack shapes them, from the people of a stand-in workspace. How a request travels
(a signed HTTP post, a Socket Mode envelope) is a subclass's `_send`."""

from __future__ import annotations

import copy
import itertools
import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode

from slack_standin.inputs import clicked, number_input, plain_text, static_select, users_select
from slack_standin.server import FakeSlack
from slack_standin.workspace import JsonDict, SlackChannel, Workspace

VERIFICATION_TOKEN = "legacy-verification-token"


class SigningOverrides(TypedDict, total=False):
    """For security tests: a stale `timestamp`, a wrong `signature`, or no signature at all."""

    timestamp: int | None
    signature: str | None
    unsigned: bool


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


class SlackPayloads(ABC):
    """Builds each request from the people of `workspace`, where the app is installed
    (`org_wide`: installed in its whole Enterprise Grid org). On Grid every request names the
    org as Slack does. With a FakeSlack, trigger ids and response URLs are ones it answers.

    `from_workspace` builds a request from a person of another organisation, through a channel
    shared with them (Slack Connect): their ids are that workspace's, while the installation
    the request is for stays this one."""

    def __init__(
        self, workspace: Workspace, fake: FakeSlack | None = None, *, org_wide: bool = False
    ) -> None:
        if org_wide and workspace.enterprise_id is None:
            raise ValueError(f"{workspace.team_id} is in no org to install the app org-wide in")
        self.workspace = workspace
        self.fake = fake
        self.org_wide = org_wide
        self.last_trigger_id: str | None = None
        self.last_response_name: str | None = None
        self._counter = itertools.count(1)

    # input values, as found under view.state.values[block_id][action_id]

    static_select = staticmethod(static_select)
    plain_text = staticmethod(plain_text)
    users_select = staticmethod(users_select)
    number_input = staticmethod(number_input)

    # requests

    def slash_command(
        self,
        text: str,
        user: str = "UOWNER",
        command: str = "/license",
        channel: str = "C0GENERAL",
        *,
        from_workspace: Workspace | None = None,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        """A command typed by `user`. From another organisation's workspace (in a channel
        shared with it) it comes as that workspace's, since Slack does not share slash
        commands: it reaches the app through its installation there."""
        ws = from_workspace or self.workspace
        org = (
            {"enterprise_id": ws.enterprise_id, "enterprise_name": _enterprise_name(ws)}
            if ws.enterprise_id is not None
            else {}
        )
        org_wide = self.org_wide and from_workspace is None
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": ws.team_id,
            "team_domain": ws.domain,
            **org,
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user,
            "user_name": self._user_name(user, ws),
            "command": command,
            "text": text,
            "api_app_id": self.workspace.app_id,
            "is_enterprise_install": "true" if org_wide else "false",
            "response_url": self._response_url("command", channel),
            "trigger_id": self._trigger_id(ws),
        }
        return self._send(urlencode(form), "application/x-www-form-urlencoded", overrides)

    def view_submission(
        self,
        view: JsonDict,
        user: str = "UOWNER",
        values: dict[str, dict[str, JsonDict]] | None = None,
        *,
        from_workspace: Workspace | None = None,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        """Submit `view`. From another organisation's workspace (a modal opened from a shared
        channel) the team, the user's team and the view's team are theirs, and
        `view.app_installed_team_id` names this workspace, as Slack sends it."""
        submitted = {"private_metadata": "", "callback_id": "", **copy.deepcopy(view)}
        if from_workspace is not None:
            submitted["team_id"] = from_workspace.team_id
            submitted["app_installed_team_id"] = self.workspace.team_id
        submitted["state"] = {"values": copy.deepcopy(values or {})}
        actor = from_workspace or self.workspace
        payload = {
            "type": "view_submission",
            **self._interaction_base(user, team=actor, actor=actor),
            "view": submitted,
            "response_urls": [],
        }
        return self._send_payload(payload, overrides)

    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        user: str = "UOWNER",
        block_id: str | None = None,
        container: JsonDict | None = None,
        message: JsonDict | None = None,
        view: JsonDict | None = None,
        channel: str = "C0GENERAL",
        selected_option: str | None = None,
        *,
        from_workspace: Workspace | None = None,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        """Click `action_id` in `view`, in `message`, or (neither given) in an ephemeral message.

        Unset `block_id`, `value` and element type are read from the element with that
        action_id in the view's or message's blocks, if there is one.

        From another organisation's workspace, the user (and their `team_id`) is theirs; in a
        message of a shared channel the payload's `team` stays the workspace where the app
        posted it, as Slack sends it; in a view, it is theirs, as for a view submission."""
        blocks = (view or message or {}).get("blocks", [])
        action = clicked(action_id, blocks, value, block_id, selected_option)
        context = (
            self._view_context(view, container)
            if view is not None
            else self._message_context(message, channel, container)
        )
        actor = from_workspace or self.workspace
        team = actor if view is not None else self.workspace
        payload = {
            "type": "block_actions",
            **self._interaction_base(user, team=team, actor=actor),
            **context,
            "actions": [action],
        }
        return self._send_payload(payload, overrides)

    def event(
        self,
        event: JsonDict,
        *,
        from_workspace: Workspace | None = None,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        """An Events API envelope for the app's installation here (`authorizations`). From
        another organisation's workspace, through a shared channel, the envelope's team (and
        org) are theirs, `context_team_id`/`context_enterprise_id` the channel's host and
        `is_ext_shared_channel` true; an event in a channel shared with another
        organisation is marked so too."""
        ws = self.workspace
        sender = from_workspace or ws
        now = int(time.time())
        inner = {"event_ts": f"{now}.000100", **event}
        if from_workspace is not None and "user" in inner and "team" not in inner:
            inner["team"] = from_workspace.team_id
        host = self._host(_event_channel(inner))
        shared = from_workspace is not None or (host is not None and bool(host[0].shared_with))
        envelope: JsonDict = {
            "token": VERIFICATION_TOKEN,
            "team_id": sender.team_id,
            **({"enterprise_id": sender.enterprise_id} if sender.enterprise_id else {}),
            "api_app_id": ws.app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": f"Ev{next(self._counter):08d}",
            "event_time": now,
            "authorizations": [self._authorization()],
            "is_ext_shared_channel": shared,
        }
        if shared:
            context = host[1] if host is not None else ws
            envelope["context_team_id"] = context.team_id
            envelope["context_enterprise_id"] = context.enterprise_id
        return self._send(json.dumps(envelope), "application/json", overrides)

    def app_uninstalled(
        self, *, revoke: bool = True, **overrides: Unpack[SigningOverrides]
    ) -> Response:
        """The app was uninstalled from this workspace (org, when installed org-wide). With
        `revoke` and a FakeSlack, its tokens there answer `token_revoked` from now on."""
        return self._revocation({"type": "app_uninstalled"}, revoke, overrides)

    def tokens_revoked(
        self,
        bot: bool = True,
        users: Iterable[str] = (),
        *,
        revoke: bool = True,
        **overrides: Unpack[SigningOverrides],
    ) -> Response:
        """The bot's token (`bot`) and the user tokens of `users` here were revoked. With
        `revoke`, `bot` and a FakeSlack, the bot's tokens answer `token_revoked` from now on."""
        ws = self.workspace
        tokens = {"oauth": list(users), "bot": [ws.bot_user_id] if bot else []}
        return self._revocation(
            {"type": "tokens_revoked", "tokens": tokens}, revoke and bot, overrides
        )

    # payload parts

    def _interaction_base(self, user: str, *, team: Workspace, actor: Workspace) -> JsonDict:
        """`team` is the payload's workspace; `actor` the user's."""
        name = self._user_name(user, actor)
        team_json: JsonDict = {"id": team.team_id, "domain": team.domain}
        if team.enterprise_id is not None:
            team_json["enterprise_id"] = team.enterprise_id
            team_json["enterprise_name"] = _enterprise_name(team)
        return {
            "token": VERIFICATION_TOKEN,
            "team": team_json,
            "user": {"id": user, "username": name, "name": name, "team_id": actor.team_id},
            "api_app_id": self.workspace.app_id,
            "trigger_id": self._trigger_id(actor),
            "is_enterprise_install": self.org_wide,
            "enterprise": team.enterprise,
        }

    @property
    def _installed_in(self) -> str:
        """The team id, or (org-wide) the enterprise id, the app is installed in."""
        ws = self.workspace
        return ws.enterprise_id if self.org_wide and ws.enterprise_id else ws.team_id

    def _authorization(self) -> JsonDict:
        """The installation a request is for, as `authorizations[0]` of an event."""
        ws = self.workspace
        return {
            "enterprise_id": ws.enterprise_id,
            "team_id": None if self.org_wide else ws.team_id,
            "user_id": ws.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": self.org_wide,
        }

    def _revocation(self, event: JsonDict, revoke: bool, overrides: SigningOverrides) -> Response:
        ws = self.workspace
        if revoke and self.fake is not None:
            self.fake.uninstall(self._installed_in)
        now = int(time.time())
        envelope: JsonDict = {
            "token": VERIFICATION_TOKEN,
            **({} if self.org_wide else {"team_id": ws.team_id}),
            **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {}),
            "api_app_id": ws.app_id,
            "event": {**event, "event_ts": f"{now}.000100"},
            "type": "event_callback",
            "event_id": f"Ev{next(self._counter):08d}",
            "event_time": now,
        }
        return self._send(json.dumps(envelope), "application/json", overrides)

    def _view_context(self, view: JsonDict, container: JsonDict | None) -> JsonDict:
        shown = {"state": {"values": {}}, **copy.deepcopy(view)}
        return {
            "container": container or {"type": "view", "view_id": view.get("id")},
            "view": shown,
        }

    def _message_context(
        self, message: JsonDict | None, channel: str, container: JsonDict | None
    ) -> JsonDict:
        channel_id = str(message.get("channel", channel)) if message else channel
        ts = str(message.get("ts") or self._ts()) if message else self._ts()
        context: JsonDict = {
            "container": container
            or {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            },
            "channel": {"id": channel_id, "name": self._channel_name(channel_id)},
            "state": {"values": {}},
            "response_url": self._response_url("action", channel_id, ts if message else None),
        }
        if message is not None:
            context["message"] = {k: v for k, v in copy.deepcopy(message).items() if k != "channel"}
        return context

    def _channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        found = self._host(channel_id)
        return found[0].name if found else "privategroup"

    def _host(self, channel_id: str | None) -> tuple[SlackChannel, Workspace] | None:
        """The channel and its workspace: this one, or another the FakeSlack holds."""
        if channel_id is None:
            return None
        workspaces = self.fake.workspaces if self.fake is not None else ()
        for workspace in (self.workspace, *workspaces):
            channel = workspace.channel(channel_id)
            if channel is not None:
                return channel, workspace
        return None

    def _user_name(self, user_id: str, workspace: Workspace | None = None) -> str:
        found = (workspace or self.workspace).user(user_id)
        return found.name if found else user_id.lower()

    def _trigger_id(self, workspace: Workspace | None = None) -> str:
        trigger_id = f"{next(self._counter)}.{int(time.time())}.{uuid.uuid4().hex[:24]}"
        if self.fake is not None:
            self.fake.register_trigger(trigger_id, (workspace or self.workspace).team_id)
        self.last_trigger_id = trigger_id
        return trigger_id

    def _response_url(self, kind: str, channel: str, message_ts: str | None = None) -> str:
        name = f"{kind}-{next(self._counter)}"
        self.last_response_name = name
        if self.fake is None:
            return f"https://hooks.slack.com/actions/{self.workspace.team_id}/{name}/dummy"
        return self.fake.response_url_for(name, channel=channel, message_ts=message_ts)

    def _ts(self) -> str:
        return self.fake.next_ts() if self.fake is not None else f"{time.time():.6f}"

    # handing over

    def _send_payload(self, payload: JsonDict, overrides: SigningOverrides) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self._send(body, "application/x-www-form-urlencoded", overrides)

    @abstractmethod
    def _send(self, body: str, content_type: str, overrides: SigningOverrides) -> Response:
        """Deliver a request's body as the transport does, and return what the app answered."""


def _enterprise_name(workspace: Workspace) -> str:
    return workspace.enterprise_name or workspace.enterprise_id or ""


def _event_channel(event: JsonDict) -> str | None:
    """The channel an event happened in: `channel`, `channel_id`, or `item.channel`."""
    item = event.get("item")
    for found in (
        event.get("channel"),
        event.get("channel_id"),
        isinstance(item, dict) and item.get("channel"),
    ):
        if isinstance(found, str):
            return found
    return None
