"""What Slack sends the listeners, shaped as in tests/e2e and slack_standin: a slash
command, a submitted view, a button click."""

from __future__ import annotations

from typing import Any

from commands import ids
from commands.views.notices import notice_message
from licensing.schemas import NoticeFacts, NoticeView, RemovalPool
from slack_standin.inputs import number_input, static_select, users_select
from tests.commands.views.samples import T1

TRIGGER = "1.2.trigger"
VIEW_ID = "V0REVIEW"
NOTICE_CHANNEL, NOTICE_TS = "C0LIC", "1769850000.000100"

Values = dict[str, dict[str, dict[str, Any]]]


def slash(text: str, channel: str = "C1") -> dict[str, Any]:
    return {
        "command": "/license",
        "text": text,
        "channel_id": channel,
        "user_id": "U1",
        "team_id": "T1",
        "trigger_id": TRIGGER,
    }


def submitted(
    metadata: str | None, values: Values | None = None, callback_id: str = ""
) -> dict[str, Any]:
    """A view as a view_submission carries it: its id, metadata and the fields' state."""
    view: dict[str, Any] = {
        "id": VIEW_ID,
        "type": "modal",
        "callback_id": callback_id,
        "state": {"values": values or {}},
    }
    if metadata is not None:
        view["private_metadata"] = metadata
    return view


def seat_values(count: str, product: str = "talk", office: str = "Main") -> Values:
    return {
        ids.COUNT_BLOCK: {ids.COUNT_ACTION: number_input(count)},
        ids.PRODUCT_BLOCK: {ids.PRODUCT_ACTION: static_select(product)},
        ids.OFFICE_BLOCK: {ids.OFFICE_ACTION: static_select(office)},
    }


def subscribe_values(interval: str, *seats: str) -> Values:
    values: Values = {ids.INTERVAL_BLOCK: {ids.INTERVAL_ACTION: static_select(interval)}}
    for index, count in enumerate(seats):
        values[ids.pool_seats_block(index)] = {ids.COUNT_ACTION: number_input(count)}
    return values


def people_values(user: str, product: str = "talk", office: str | None = "Main") -> Values:
    values: Values = {
        ids.USER_BLOCK: {ids.USER_ACTION: users_select(user)},
        ids.PRODUCT_BLOCK: {ids.PRODUCT_ACTION: static_select(product)},
    }
    if office is not None:
        values[ids.OFFICE_BLOCK] = {ids.OFFICE_ACTION: static_select(office)}
    return values


def contact_values(company: str, email: str, address: str = "", vat_id: str = "") -> Values:
    """The billing contact modal's fields, as a plain text input sends each."""
    typed = {"company": company, "email": email, "address": address, "vat_id": vat_id}
    return {
        block: {action: {"type": "plain_text_input", "value": typed[name] or None}}
        for name, (block, action) in ids.CONTACT_FIELDS.items()
    }


def click(
    action_id: str,
    value: str | None,
    block_id: str = "b1",
    *,
    message: dict[str, Any] | None = None,
    user: str = "U1",
) -> dict[str, Any]:
    """A block_actions body: a button in `message` (a notice), or else in an ephemeral reply."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": "button"}
    if value is not None:
        action["value"] = value
    ts = message["ts"] if message else "1769850999.000200"
    channel = NOTICE_CHANNEL if message else "C1"
    body: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T1"},
        "trigger_id": TRIGGER,
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": message is None,
        },
        "channel": {"id": channel},
        "actions": [action],
    }
    if message is not None:
        body["message"] = message
    return body


def home_click(action_id: str, value: str) -> dict[str, Any]:
    """A button on the App Home tab: its container is a view, not a message."""
    return {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "trigger_id": TRIGGER,
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button", "value": value}],
    }


def posted_notice(kind: str, notice_id: int = 7) -> dict[str, Any]:
    """A notice of `kind` as it stands in the notice channel."""
    removal = RemovalPool(
        office="Main", product_id="talk", product_name="Talk", seats=2, purchased=5
    )
    facts = NoticeFacts(
        kind=kind, period_end=T1, interval="month", currency="USD", removals=[removal]
    )
    view = NoticeView(id=notice_id, team_id="T1", enterprise_id="", time_zone="UTC", facts=facts)
    return {"type": "message", "ts": NOTICE_TS, **notice_message(view)}


def button_in(message: dict[str, Any], action_id: str) -> tuple[str, str]:
    """The block id and value of the button `action_id` in `message`."""
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(block["block_id"]), str(element["value"])
    raise AssertionError(f"no {action_id} button in the message")
