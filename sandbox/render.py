"""Block Kit as terminal text: each message, ephemeral, modal or App Home becomes a `Card`,
a boxed panel whose buttons are numbered so that they can be pressed by number."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from sandbox.form import Field, Form, field_of
from sandbox.mrkdwn import Names, emojized, mrkdwn

JsonDict = dict[str, Any]

_BUTTON_STYLES = {"primary": "bold green", "danger": "bold red"}
DIVIDER = "─" * 40


@dataclass(frozen=True)
class Button:
    number: int
    label: str
    action_id: str
    block_id: str
    value: str | None
    url: str | None = None  # a link button opens this page


@dataclass
class Card:
    """One thing Slack would show, ready for the terminal."""

    title: str
    lines: list[Text]
    buttons: list[Button] = field(default_factory=list)
    footer: Text | None = None
    border_style: str = "blue"

    def __rich__(self) -> RenderableType:
        parts: list[RenderableType] = [*self.lines]
        if self.footer is not None:
            parts.append(self.footer)
        return Panel(
            Group(*parts),
            title=Text(self.title, style="bold"),
            title_align="left",
            border_style=self.border_style,
            expand=False,
        )

    @property
    def plain(self) -> str:
        body = [line.plain for line in self.lines]
        return "\n".join([self.title, *body, self.footer.plain if self.footer else ""]).rstrip()


class BlockRenderer:
    """Renders blocks to lines, numbering buttons from `first_number` on."""

    def __init__(self, names: Names, first_number: int) -> None:
        self.names = names
        self.buttons: list[Button] = []
        self._next_number = first_number
        self._kinds: dict[str, Callable[[JsonDict], list[Text]]] = {
            "header": self._header,
            "section": self._section,
            "context": self._context,
            "divider": lambda block: [Text(DIVIDER, style="dim")],
            "actions": self._actions,
            "image": lambda block: [Text(f"[image: {block.get('alt_text', '')}]", style="dim")],
        }

    def blocks(self, blocks: list[JsonDict], form: Form | None = None) -> list[Text]:
        lines: list[Text] = []
        for block in blocks:
            input_field = field_of(block)
            if input_field is not None:
                lines.extend(self.input(input_field, form))
            elif block.get("type") in self._kinds:
                lines.extend(self._kinds[block["type"]](block))
            else:
                lines.append(self._unsupported(block))
        return lines

    def text(self, text_object: JsonDict | None, style: str = "") -> Text:
        if not text_object:
            return Text()
        source = str(text_object.get("text", ""))
        if text_object.get("type") == "mrkdwn":
            return mrkdwn(source, self.names, style)
        return Text(emojized(source), style=style or "")

    def input(self, shown: Field, form: Form | None) -> list[Text]:
        value = form.values.get(shown.block_id) if form else shown.initial
        line = Text.assemble((shown.label, "bold"), ": ")
        line.append(_blank_or(shown.shown(value, self.names)), style="underline")
        if shown.optional:
            line.append(" (optional)", style="dim")
        lines = [line]
        if shown.options:
            choices = " · ".join(f"{n}) {o.label}" for n, o in enumerate(shown.options, 1))
            lines.append(Text(f"  {choices}", style="dim"))
        if shown.hint:
            lines.append(Text(f"  {shown.hint}", style="dim"))
        error = form.errors.get(shown.block_id) if form else None
        if error:
            lines.append(Text(f"  ⚠ {error}", style="bold red"))
        return lines

    def _unsupported(self, block: JsonDict) -> Text:
        if block.get("type") == "input":
            label = self.text(block.get("label")).plain
            kind = (block.get("element") or {}).get("type")
            return Text(f"{label}: [a {kind}, which the sandbox cannot fill]", style="dim")
        return Text(f"[a {block.get('type')} block]", style="dim")

    def _header(self, block: JsonDict) -> list[Text]:
        return [self.text(block.get("text"), "bold underline")]

    def _section(self, block: JsonDict) -> list[Text]:
        line = self.text(block.get("text"))
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            line.append("  ")
            line.append_text(self._element(accessory, str(block.get("block_id", ""))))
        lines = [line] if line.plain else []
        lines.extend(self.text(f) for f in block.get("fields", []))
        return lines

    def _context(self, block: JsonDict) -> list[Text]:
        parts = [
            self.text(e, "dim") if "text" in e else Text(f"[{e.get('alt_text', 'image')}]")
            for e in block.get("elements", [])
        ]
        return [Text(" · ", style="dim").join(parts)]

    def _actions(self, block: JsonDict) -> list[Text]:
        block_id = str(block.get("block_id", ""))
        elements = [self._element(e, block_id) for e in block.get("elements", [])]
        return [Text("  ").join(elements)]

    def _element(self, element: JsonDict, block_id: str) -> Text:
        if element.get("type") != "button":
            label = self.text(element.get("placeholder")).plain or element.get("type", "")
            return Text(f"[{label} ▾]", style="dim")
        button = Button(
            number=self._next_number,
            label=self.text(element.get("text")).plain,
            action_id=str(element.get("action_id", "")),
            block_id=block_id,
            value=element.get("value"),
            url=element.get("url"),
        )
        self._next_number += 1
        self.buttons.append(button)
        style = _BUTTON_STYLES.get(str(element.get("style")), "bold")
        shown = Text.assemble(
            ("[", "dim"), (str(button.number), "bold yellow"), ("] ", "dim"), (button.label, style)
        )
        if button.url:
            shown.append(" ↗", style="dim")
        return shown


def _blank_or(text: str) -> str:
    return text or "______"


def message_card(
    title: str, message: Mapping[str, Any], names: Names, first_number: int, border: str = "blue"
) -> Card:
    """A channel message or an ephemeral: its blocks, or its text when it has none."""
    renderer = BlockRenderer(names, first_number)
    blocks = message.get("blocks") or []
    text = mrkdwn(str(message.get("text", "")), names)
    lines = renderer.blocks(blocks) if blocks else [text]
    return Card(title, lines, renderer.buttons, border_style=border)


def view_card(
    view: Mapping[str, Any], names: Names, first_number: int, form: Form | None = None
) -> Card:
    """A modal (its title, inputs and Submit / Close buttons) or an App Home tab."""
    renderer = BlockRenderer(names, first_number)
    lines = renderer.blocks(list(view.get("blocks", [])), form)
    if view.get("type") == "home":
        return Card("App Home", lines, renderer.buttons, border_style="magenta")
    title = f"Modal: {renderer.text(view.get('title')).plain}"
    return Card(title, lines, renderer.buttons, _modal_footer(view, renderer), "cyan")


def _modal_footer(view: Mapping[str, Any], renderer: BlockRenderer) -> Text:
    close = renderer.text(view.get("close")).plain or "Close"
    footer = Text.assemble(("( ", "dim"), (close, "bold"), (" )", "dim"))
    submit = renderer.text(view.get("submit")).plain
    if submit:
        footer.append("  ")
        footer.append_text(Text.assemble(("( ", "dim"), (submit, "bold green"), (" )", "dim")))
    return footer
