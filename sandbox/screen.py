"""The terminal as a Slack client: shows each thing the bot did, numbers its buttons, keeps
the open modals, and remembers the text of the current step for `expect`."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from sandbox.board import ButtonBoard
from sandbox.feed import (
    ApiRefused,
    Deleted,
    Event,
    JsonDict,
    Posted,
    Responded,
    ViewShown,
    Whispered,
)
from sandbox.modals import ModalStack, OpenModal
from sandbox.mrkdwn import mrkdwn
from sandbox.names import WorkspaceNames
from sandbox.render import Card, message_card, view_card


class Screen:
    def __init__(self, console: Console, names: WorkspaceNames, typing_channel: str) -> None:
        self.console = console
        self.names = names
        self.typing_channel = typing_channel  # where slash commands are typed
        self.board = ButtonBoard()
        self.modals = ModalStack()
        self._step: list[str] = []

    def begin_step(self) -> None:
        self._step = []

    @property
    def step_text(self) -> str:
        """Everything shown since the step began, as plain text."""
        return "\n".join(self._step)

    def note(self, text: str, style: str = "dim") -> None:
        self.console.print(Text(text, style=style), soft_wrap=True)
        self._step.append(text)

    def show(self, card: Card) -> None:
        self.console.print(card)
        self._step.append(card.plain)

    def reply(self, body: JsonDict, channel: str, user: str) -> None:
        """The bot's answer to a slash command or a click: a message, usually ephemeral."""
        if not (body.get("text") or body.get("blocks")):
            return
        if body.get("response_type") == "in_channel":
            self._message(f"{self.names.where(channel)} · licensebot", body, channel, "")
        else:
            self._ephemeral(channel, user, body)

    def modal(self, modal: OpenModal) -> None:
        card = view_card(modal.view, self.names, self.board.next_number, modal.form)
        self.board.place(card.buttons, "modal", view_id=str(modal.view.get("id", "")))
        self.show(card)

    def events(self, events: list[Event], channel: str, user: str) -> None:
        """Show each event; replies go to `user` in `channel`."""
        for event in events:
            if isinstance(event, Responded):
                self._response(event.body, channel, user, _changes_a_message(events))
            else:
                self._event(event)

    def _event(self, event: Event) -> None:
        if isinstance(event, Posted):
            self._posted(event)
        elif isinstance(event, Deleted):
            said = _shortened(mrkdwn(event.text, self.names).plain)
            self.note(
                f'licensebot deleted its message in {self.names.where(event.channel)}: "{said}"'
            )
        elif isinstance(event, ApiRefused):
            # The bot may expect the refusal (a user not found, say), so the step goes on.
            self.note(f"Slack answered {event.method}: {event.error}", style="yellow")
        elif isinstance(event, Whispered):
            self._ephemeral(event.channel, event.user, event.message)
        elif isinstance(event, ViewShown):
            self._view(event)

    def _posted(self, event: Posted) -> None:
        where, ts = self.names.where(event.channel), str(event.message["ts"])
        if event.before is None:
            self._message(f"{where} · licensebot", event.message, event.channel, ts)
            return
        said = _shortened(mrkdwn(str(event.before.get("text", "")), self.names).plain)
        self.note(f'✎ licensebot edited its message in {where} that said "{said}":')
        self._message(f"{where} · licensebot · edited", event.message, event.channel, ts)

    def _response(self, body: JsonDict, channel: str, user: str, changed_a_message: bool) -> None:
        if body.get("replace_original") or body.get("delete_original"):
            if changed_a_message:
                return  # it changed a channel message, which is shown edited or deleted
            if body.get("delete_original"):
                self.note("(the ephemeral message was deleted)")
                return
        self.reply(body, channel, user)

    def _view(self, event: ViewShown) -> None:
        view = event.view
        if event.method == "views.publish":
            card = view_card(view, self.names, self.board.next_number)
            card.title = f"App Home of @{self.names.user_name(event.user)}"
            self.board.place(card.buttons, "home", view_id=str(view["id"]))
            self.show(card)
            return
        self.modal(self.modals.shown(event.method, view))

    def _message(self, title: str, message: JsonDict, channel: str, ts: str) -> None:
        card = message_card(title, message, self.names, self.board.next_number)
        self.board.place(card.buttons, "message" if ts else "ephemeral", channel=channel, ts=ts)
        self.show(card)

    def _ephemeral(self, channel: str, user: str, message: JsonDict) -> None:
        title = f"only @{self.names.user_name(user)} sees this · {self.names.where(channel)}"
        card = message_card(title, message, self.names, self.board.next_number, border="yellow")
        self.board.place(card.buttons, "ephemeral", channel=channel)
        self.show(card)


def _shortened(text: str, width: int = 60) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= width else first[: width - 1] + "…"


def _changes_a_message(events: list[Event]) -> bool:
    return any(
        isinstance(e, Deleted) or (isinstance(e, Posted) and e.before is not None) for e in events
    )
