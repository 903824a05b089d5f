"""A modal's input fields: what they offer, what a person typed into them, and the
`view.state.values` Slack would send for them on submit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import FormError
from sandbox.mrkdwn import Names
from sandbox.names import WorkspaceNames

JsonDict = dict[str, Any]

INPUT_KINDS = frozenset(
    {
        "plain_text_input",
        "number_input",
        "static_select",
        "radio_buttons",
        "users_select",
        "conversations_select",
        "channels_select",
    }
)
_OPTION_KINDS = frozenset({"static_select", "radio_buttons"})
_INITIAL_KEYS = {
    "users_select": "initial_user",
    "conversations_select": "initial_conversation",
    "channels_select": "initial_channel",
}
_SELECTED_KEYS = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str

    def to_api(self) -> JsonDict:
        return {"text": {"type": "plain_text", "text": self.label}, "value": self.value}


@dataclass(frozen=True)
class Field:
    block_id: str
    action_id: str
    label: str
    kind: str
    optional: bool
    initial: str | None
    hint: str = ""
    options: tuple[Option, ...] = ()
    element: JsonDict = field(default_factory=dict, compare=False)

    def accept(self, given: str, names: WorkspaceNames) -> str:
        """The value `given` stands for, or FormError saying what this field takes."""
        given = given.strip()
        if self.kind == "number_input":
            return self._number(given)
        if self.kind in _OPTION_KINDS:
            return self._option(given).value
        if self.kind == "users_select":
            user = names.find_user(given)
            if user is None:
                raise FormError(f"{self.label}: pick someone in the workspace: {names.people()}.")
            return user.id
        if self.kind in ("conversations_select", "channels_select"):
            channel = names.find_channel(given)
            if channel is None:
                raise FormError(f"{self.label}: pick a channel such as #licenses.")
            return channel.id
        return given

    def shown(self, value: str | None, names: Names) -> str:
        """A value as the field would display it."""
        if value is None or value == "":
            return ""
        if self.kind in _OPTION_KINDS:
            return next((o.label for o in self.options if o.value == value), value)
        if self.kind == "users_select":
            return f"@{names.user_name(value)}"
        if self.kind in ("conversations_select", "channels_select"):
            return f"#{names.channel_name(value)}"
        return value

    def state(self, value: str | None) -> JsonDict:
        """This field's entry under `view.state.values[block_id][action_id]`."""
        entry: JsonDict = {"type": self.kind}
        if self.kind in _OPTION_KINDS:
            chosen = next((o for o in self.options if o.value == value), None)
            entry["selected_option"] = chosen.to_api() if chosen else None
        elif self.kind in _SELECTED_KEYS:
            entry[_SELECTED_KEYS[self.kind]] = value or None
        else:
            entry["value"] = value or None
        return entry

    def _number(self, given: str) -> str:
        decimals = bool(self.element.get("is_decimal_allowed"))
        try:
            number = float(given) if decimals else int(given)
        except ValueError:
            kind = "a number" if decimals else "a whole number"
            raise FormError(f"{self.label}: enter {kind}, e.g. 3.") from None
        if not math.isfinite(number):
            raise FormError(f"{self.label}: enter a number, e.g. 3.")
        low, high = self.element.get("min_value"), self.element.get("max_value")
        if low is not None and number < float(low):
            raise FormError(f"{self.label}: enter {low} or more.")
        if high is not None and number > float(high):
            raise FormError(f"{self.label}: enter {high} or less.")
        return given

    def _option(self, given: str) -> Option:
        lowered = given.lower()
        for option in self.options:
            if lowered in (option.value.lower(), option.label.lower()):
                return option
        if given.isdigit() and 1 <= int(given) <= len(self.options):
            return self.options[int(given) - 1]
        choices = ", ".join(o.label for o in self.options)
        raise FormError(f"{self.label}: choose one of {choices}.")


def field_of(block: JsonDict) -> Field | None:
    """The field of an input block, or None for any other block."""
    element = block.get("element") or {}
    kind = element.get("type", "")
    if block.get("type") != "input" or kind not in INPUT_KINDS:
        return None
    options = tuple(_option_of(o) for o in element.get("options", []))
    return Field(
        block_id=str(block.get("block_id", "")),
        action_id=str(element.get("action_id", "")),
        label=_text(block.get("label")),
        kind=kind,
        optional=bool(block.get("optional")),
        initial=_initial(element, kind),
        hint=_text(block.get("hint")),
        options=options,
        element=element,
    )


def _initial(element: JsonDict, kind: str) -> str | None:
    if kind in _OPTION_KINDS:
        initial = element.get("initial_option")
        return str(initial["value"]) if isinstance(initial, dict) else None
    value = element.get(_INITIAL_KEYS.get(kind, "initial_value"))
    return None if value is None else str(value)


def _option_of(option: JsonDict) -> Option:
    return Option(value=str(option.get("value", "")), label=_text(option.get("text")))


def _text(text_object: Any) -> str:
    return str(text_object.get("text", "")) if isinstance(text_object, dict) else ""


@dataclass
class Form:
    """The fields of one modal view and what has been typed into them so far."""

    fields: list[Field]
    values: dict[str, str | None]
    errors: dict[str, str] = field(default_factory=dict)  # block id → the bot's message

    @classmethod
    def of(cls, view: JsonDict) -> Form:
        fields = [f for f in (field_of(b) for b in view.get("blocks", [])) if f is not None]
        return cls(fields, {f.block_id: f.initial for f in fields})

    def find(self, name: str) -> Field:
        """A field by its label or block id; a label's unique beginning will do."""
        key = name.strip().lower()
        exact = [f for f in self.fields if key in (f.label.lower(), f.block_id.lower())]
        matches = exact or [f for f in self.fields if f.label.lower().startswith(key)]
        if len(matches) == 1:
            return matches[0]
        labels = ", ".join(f'"{f.label}"' for f in self.fields) or "none"
        problem = "is ambiguous" if matches else "is not a field of this modal"
        raise FormError(f'"{name}" {problem}. Its fields: {labels}.')

    def fill(self, name: str, given: str, names: WorkspaceNames) -> Field:
        found = self.find(name)
        self.values[found.block_id] = found.accept(given, names)
        return found

    def missing(self) -> list[Field]:
        return [f for f in self.fields if not f.optional and not self.values.get(f.block_id)]

    def state_values(self) -> dict[str, dict[str, JsonDict]]:
        return {
            f.block_id: {f.action_id: f.state(self.values.get(f.block_id))} for f in self.fields
        }
