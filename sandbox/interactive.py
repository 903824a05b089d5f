"""The interactive console: a prompt for the sandbox's lines, and a guide through each modal
the bot opens, field by field, then its submit or close button."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from rich.text import Text

from sandbox.errors import StepFailed
from sandbox.modals import OpenModal
from sandbox.session import Session

with contextlib.suppress(ImportError):  # line editing and history, where the platform has it
    import readline  # noqa: F401

Ask = Callable[[str], str]

WELCOME = (
    "licensebot sandbox: the real bot, with a stand-in Slack workspace.\n"
    "Try /license status, then /license help. /help lists the sandbox's own commands."
)


def run_interactive(session: Session, ask: Ask = input) -> int:
    console = session.screen.console
    console.print(Text(WELCOME, style="bold"), soft_wrap=True)
    while not session.finished:
        try:
            line = ask(session.prompt)
        except EOFError:
            break
        except KeyboardInterrupt:
            console.print()
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            _attempt(session, line)
            _guide_modals(session, ask)
    return 0


def _attempt(session: Session, line: str) -> None:
    try:
        session.run(line)
    except StepFailed as failure:
        session.screen.console.print(Text(f"⚠ {failure.reason}", style="bold red"))
    except KeyboardInterrupt:
        session.screen.console.print(Text("(interrupted)", style="dim"))


def _guide_modals(session: Session, ask: Ask) -> None:
    """Ask for each field of the open modal, then whether to submit it, until it closes."""
    while not session.finished and (modal := session.waiting_modal) is not None:
        try:
            _ask_fields(session, modal, ask)
            choice = ask(f'Enter: "{modal.submit_label}" · c: "{modal.close_label}" ▸ ')
        except (KeyboardInterrupt, EOFError):
            session.screen.console.print()
            choice = "c"
        command = {"": "> submit", "c": "> cancel"}.get(choice.strip().lower(), choice)
        _attempt(session, command)


def _ask_fields(session: Session, modal: OpenModal, ask: Ask) -> None:
    for field in modal.form.fields:
        while True:
            current = field.shown(modal.form.values.get(field.block_id), session.names)
            given = ask(f"{field.label} [{current}]: ").strip()
            if not given:
                break
            try:
                session.fill(field.block_id, given)
                break
            except StepFailed as failure:
                session.screen.console.print(Text(f"⚠ {failure.reason}", style="bold red"))
