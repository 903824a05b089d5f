"""What the bot did in Slack since the last look: new, edited and deleted messages, ephemerals,
modals, App Home tabs and refused Web API calls, read from the FakeSlack's record."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from slack_standin.recording import RecordedCall
from slack_standin.server import FakeSlack

JsonDict = dict[str, Any]

VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})


@dataclass(frozen=True)
class Posted:
    """A message in a channel or a DM, new or changed since it was last shown."""

    channel: str
    message: JsonDict
    before: JsonDict | None = None  # an edited message, as it was last shown


@dataclass(frozen=True)
class Deleted:
    channel: str
    text: str


@dataclass(frozen=True)
class Whispered:
    """An ephemeral message: only `user` sees it."""

    channel: str
    user: str
    message: JsonDict


@dataclass(frozen=True)
class Responded:
    """A post to a response_url; what it shows depends on what was clicked or typed."""

    body: JsonDict


@dataclass(frozen=True)
class ViewShown:
    method: str  # one of VIEW_METHODS
    view: JsonDict
    user: str = ""  # whose App Home tab, for views.publish


@dataclass(frozen=True)
class ApiRefused:
    method: str
    error: str


Event = Posted | Deleted | Whispered | Responded | ViewShown | ApiRefused


class Feed:
    """Reads the FakeSlack after the bot has settled, so nothing changes while it reads."""

    def __init__(self, fake: FakeSlack) -> None:
        self._fake = fake
        self._calls_seen = 0
        self._messages: dict[tuple[str, str], JsonDict] = {}

    def take(self) -> list[Event]:
        calls = self._fake.calls()
        new_calls, self._calls_seen = calls[self._calls_seen :], len(calls)
        events = [e for e in (_event_of(call) for call in new_calls) if e is not None]
        return events + self._message_changes()

    def message(self, channel: str, ts: str) -> JsonDict | None:
        """A channel message as it is now (it may have been edited or deleted)."""
        found = self._messages.get((channel, ts))
        return copy.deepcopy(found) if found else None

    def _message_changes(self) -> list[Event]:
        now = {
            (channel, str(m["ts"])): copy.deepcopy(m)
            for channel, messages in self._fake.messages.items()
            for m in messages
        }
        posted = [
            Posted(key[0], message, self._messages.get(key))
            for key, message in now.items()
            if key not in self._messages
            or self._messages[key].get("edited") != message.get("edited")
        ]
        posted.sort(key=_shown_at)  # one counter gives every ts, so this is Slack's order
        deleted = [
            Deleted(key[0], str(message.get("text", "")))
            for key, message in self._messages.items()
            if key not in now
        ]
        self._messages = now
        return [*posted, *deleted]


def _shown_at(posted: Posted) -> str:
    edited = posted.message.get("edited") or {}
    return str(edited.get("ts") or posted.message["ts"])


def _event_of(call: RecordedCall) -> Event | None:
    answer = call.response or {}
    if call.failed or answer.get("ok") is False:
        return ApiRefused(call.method, str(answer.get("error", "HTTP error")))
    if call.method in VIEW_METHODS:
        return ViewShown(call.method, answer["view"], str(call.params.get("user_id", "")))
    if call.method == "chat.postEphemeral":
        return Whispered(str(call.params["channel"]), str(call.params["user"]), call.params)
    if call.method == "response_url":
        return Responded(call.params)
    return None
