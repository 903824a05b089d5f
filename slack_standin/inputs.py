"""What a person's input looks like in a payload: values as a submitted view's state holds
them, under `view.state.values[block_id][action_id]`, and the action a click sends."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

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


def clicked(
    action_id: str,
    blocks: Iterable[Any],
    value: str | None = None,
    block_id: str | None = None,
    selected_option: str | None = None,
) -> JsonDict:
    """The action a click on `action_id` sends, as a block_actions payload's `actions[0]`.
    Unset `block_id`, `value` and element type are read from the element with that action_id
    in `blocks`, if there is one."""
    found = _find_element(blocks, action_id)
    element = found[1] if found else {}
    default_type = "button" if selected_option is None else "static_select"
    action: JsonDict = {
        "action_id": action_id,
        "block_id": block_id or (found[0] if found else "b"),
        "type": element.get("type", default_type),
        "action_ts": f"{time.time():.6f}",
    }
    if selected_option is not None:
        action["selected_option"] = {"text": plain(selected_option), "value": selected_option}
        return action
    action["text"] = element.get("text", plain(action_id))
    chosen = value if value is not None else element.get("value")
    return action if chosen is None else {**action, "value": chosen}


def _find_element(blocks: Iterable[Any], action_id: str) -> tuple[str, JsonDict] | None:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        elements = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "b")), element
    return None
