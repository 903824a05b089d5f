"""A modal's fields: what a person may type into each, and what Slack sends for it."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.errors import FormError
from sandbox.form import Form
from sandbox.names import WorkspaceNames
from slack_standin.workspace import Workspace

NAMES = WorkspaceNames(Workspace())


def _input(block_id: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": block_id.capitalize()},
        "element": {"action_id": f"{block_id}_value", **element},
    }


def _options(*values: str) -> list[dict[str, Any]]:
    return [{"text": {"type": "plain_text", "text": v.upper()}, "value": v} for v in values]


FORM_VIEW = {
    "blocks": [
        _input("seats", {"type": "number_input", "is_decimal_allowed": False, "min_value": "1"}),
        _input("plan", {"type": "static_select", "options": _options("month", "year")}),
        _input("when", {"type": "radio_buttons", "options": _options("now", "later")}),
        _input("user", {"type": "users_select", "initial_user": "UDANA"}),
        _input("channel", {"type": "conversations_select"}),
        _input("note", {"type": "plain_text_input"}, optional=True),
    ]
}


def test_the_state_has_each_fields_value_the_way_slack_sends_it() -> None:
    form = Form.of(FORM_VIEW)
    for name, given in [
        ("seats", "3"),
        ("plan", "YEAR"),
        ("when", "1"),
        ("user", "@erik"),
        ("channel", "#licenses"),
    ]:
        form.fill(name, given, NAMES)
    assert form.state_values() == {
        "seats": {"seats_value": {"type": "number_input", "value": "3"}},
        "plan": {
            "plan_value": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "YEAR"},
                    "value": "year",
                },
            }
        },
        "when": {
            "when_value": {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": "NOW"}, "value": "now"},
            }
        },
        "user": {"user_value": {"type": "users_select", "selected_user": "UERIK"}},
        "channel": {
            "channel_value": {"type": "conversations_select", "selected_conversation": "C0LICENSES"}
        },
        "note": {"note_value": {"type": "plain_text_input", "value": None}},
    }


def test_initial_values_count_and_only_required_fields_must_be_filled() -> None:
    form = Form.of(FORM_VIEW)
    assert form.values["user"] == "UDANA"
    assert [f.label for f in form.missing()] == ["Seats", "Plan", "When", "Channel"]


@pytest.mark.parametrize(
    ("name", "given", "advice"),
    [
        ("seats", "1.5", "Seats: enter a whole number, e.g. 3."),
        ("seats", "0", "Seats: enter 1 or more."),
        ("plan", "weekly", "Plan: choose one of MONTH, YEAR."),
        (
            "user",
            "@zed",
            "User: pick someone in the workspace: @olivia, @adam, @dana, @erik, @fay, @gus.",
        ),
        ("channel", "#random", "Channel: pick a channel such as #licenses."),
        (
            "colour",
            "3",
            '"colour" is not a field of this modal. Its fields: "Seats", "Plan", "When", "User", "Channel", "Note".',
        ),
    ],
)
def test_what_slacks_client_would_not_accept_is_refused_with_advice(
    name: str, given: str, advice: str
) -> None:
    with pytest.raises(FormError) as refusal:
        Form.of(FORM_VIEW).fill(name, given, NAMES)
    assert refusal.value.reason == advice
