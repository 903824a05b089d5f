"""Input values as a submitted view's state holds them, under
`view.state.values[block_id][action_id]`."""

from __future__ import annotations

from slack_standin.workspace import JsonDict


def plain_text(value: str) -> JsonDict:
    return {"type": "plain_text_input", "value": value}


def static_select(value: str, text: str | None = None) -> JsonDict:
    option = {"text": plain(text or value), "value": value}
    return {"type": "static_select", "selected_option": option}


def users_select(user_id: str) -> JsonDict:
    return {"type": "users_select", "selected_user": user_id}


def number_input(value: int | float | str) -> JsonDict:
    return {"type": "number_input", "value": str(value)}


def plain(text: str) -> JsonDict:
    return {"type": "plain_text", "text": text, "emoji": True}
