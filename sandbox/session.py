"""One sandbox session: lines typed by a person (or read from a script) carried out against the
running bot as one Slack user at a time."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from rich.console import Console

from commands.views.common import money, when
from licensing.card_data import masked
from licensing.clock import parse_duration
from licensing.errors import LicensingError
from licensing.schemas import PeriodClosed
from sandbox.board import Placed
from sandbox.cards import CardCommand, opened
from sandbox.errors import StepFailed
from sandbox.feed import Feed
from sandbox.modals import OpenModal
from sandbox.names import WorkspaceNames
from sandbox.press import Presser
from sandbox.runtime import SandboxRuntime, parse_moment
from sandbox.screen import Screen

OWNER = "UOWNER"
TYPING_CHANNEL = "C0GENERAL"

HELP = """\
Type what you would type in Slack, as the user in the prompt:
  /license …                   licensebot's command; /license help lists its subcommands
  /as @dana                    act as someone else: {people}
  /home                        open licensebot's App Home tab
  /clock show                  the simulated time
  /clock advance 10d           move it on (w, d, h, m, s); the sweeps run at once
  /clock set 2026-12-01T09:00:00+00:00    move it to a moment
  /card decline   /card ok     make the payment provider's next charges fail, or go through
  /card save 4242              save a card on the provider's card page, by its last 4 digits
                               (never a card number); the provider tells licensebot
  /card show                   what the simulated payment provider holds
  3   or   > press 3           press button [3];  > press "Restore 2 seats" by its label
  > fill seats=3 product=talk  type into the open modal's fields (a label or its beginning)
  > submit                     press the modal's submit button (Next, Confirm, …)
  > cancel                     close the modal
  expect "text"                check that the step before showed this text
  /help   /quit
The scheduler's sweeps (period ends, reminders, charges, notices) run after every step.
You type in #general. Notices go to the channel set with /license channel #licenses."""


class Session:
    def __init__(self, runtime: SandboxRuntime, console: Console) -> None:
        self.runtime = runtime
        self.names = WorkspaceNames(runtime.workspace)
        self.screen = Screen(console, self.names, TYPING_CHANNEL)
        self.user = OWNER
        self.finished = False
        self.last_output = ""
        self._feed = Feed(runtime.fake)
        self._presser = Presser(runtime, self.screen, self._feed)
        self._cards = CardCommand(runtime, self.screen)
        self._commands: dict[str, Callable[[str], None]] = {
            "/license": self._license,
            "/as": self._act_as,
            "/home": self._home,
            "/clock": self._clock,
            "/card": self._card,
            "/help": self._help,
            "/quit": self._quit,
            "> press": self._press,
            "> fill": self._fill,
            "> submit": self._submit,
            "> cancel": self._cancel,
            "> close": self._cancel,
            "expect": self._expect,
        }

    @property
    def prompt(self) -> str:
        return f"@{self.names.user_name(self.user)}> "

    @property
    def waiting_modal(self) -> OpenModal | None:
        """The open modal that waits to be submitted or canceled, if any."""
        self.screen.modals.close_results()
        return self.screen.modals.top

    def run(self, line: str) -> None:
        """Carry out one line. StepFailed says why it could not be, and what to do."""
        line = line.strip()
        if line.isdigit():
            line = f"> press {line}"
        name, argument = self._command(line)
        if name == "expect":
            self._expect(argument)
            return
        self.screen.begin_step()
        try:
            self._commands[name](argument)
        finally:
            self.last_output = self.screen.step_text

    def _command(self, line: str) -> tuple[str, str]:
        compact = re.sub(r"^>\s*", "> ", line)
        name = self._known(compact)
        if name is not None:
            return name, compact[len(name) :].strip()
        meant = next((p + line for p in ("/", "> ") if self._known(p + line)), None)
        hint = f"Did you mean {masked(meant)}? " if meant else ""
        raise StepFailed(
            f'"{masked(line)}" is not a sandbox command. {hint}Type /help for the list.'
        )

    def _known(self, line: str) -> str | None:
        return next((n for n in self._commands if line == n or line.startswith(n + " ")), None)

    # Slack: the command, the App Home, buttons

    def _license(self, text: str) -> None:
        self._require_no_modal()
        body = self.runtime.answer(
            self.runtime.send.slash_command(
                self.names.escape(text), user=self.user, channel=TYPING_CHANNEL
            )
        )
        self.screen.reply(body, TYPING_CHANNEL, self.user)
        self._settle()

    def _home(self, argument: str) -> None:
        self._require_no_modal()
        opened = {"type": "app_home_opened", "user": self.user, "tab": "home"}
        self.runtime.answer(self.runtime.send.event({**opened, "channel": f"D{self.user}"}))
        self._settle()

    def _press(self, argument: str) -> None:
        placed = self._presser.find(
            _one_argument(argument, '> press 3 or > press "Restore 2 seats"')
        )
        if placed.surface != "modal":
            self._require_no_modal()
        body = self._presser.click(placed, self.user)
        if placed.button.url:
            self.screen.note(opened(placed.button.url))
        self.screen.reply(body, placed.channel or TYPING_CHANNEL, self.user)
        self._settle(pressed=placed)

    # modals

    def fill(self, name: str, given: str) -> str:
        """Type `given` into the open modal's field `name`; say what the field now shows."""
        form = self._open_modal().form
        field = form.fill(name, given, self.names)
        form.errors.pop(field.block_id, None)
        return f"{field.label} = {field.shown(form.values[field.block_id], self.names)}"

    def _fill(self, argument: str) -> None:
        self._open_modal()
        filled = [self.fill(name, given) for name, given in _pairs(argument)]
        self.screen.note("filled " + ", ".join(filled))

    def _submit(self, argument: str) -> None:
        modal = self._open_modal()
        if not modal.submit_label:
            raise StepFailed(f'"{modal.title}" has nothing to submit: > close')
        missing = modal.form.missing()
        if missing:
            labels = ", ".join(f'"{f.label}"' for f in missing)
            raise StepFailed(f"Fill {labels} first, e.g. > fill {missing[0].label.lower()}=…")
        values = modal.form.state_values()
        body = self.runtime.answer(
            self.runtime.send.view_submission(modal.view, user=self.user, values=values)
        )
        self.screen.note(f'pressed "{modal.submit_label}"')
        now_open = self.screen.modals.answered(body)
        if now_open is None:
            self.screen.note(f'(the modal "{modal.title}" closed)')
        else:
            self.screen.modal(now_open)
        self._settle()

    def _cancel(self, argument: str) -> None:
        modal = self._open_modal()
        self.screen.modals.close()
        self.screen.note(f'pressed "{modal.close_label}": the modal "{modal.title}" closed')

    def _open_modal(self) -> OpenModal:
        modal = self.screen.modals.top
        if modal is None:
            raise StepFailed("No modal is open. Open one with a /license command or a button.")
        return modal

    def _require_no_modal(self) -> None:
        modal = self.waiting_modal
        if modal is not None:
            raise StepFailed(
                f'The modal "{modal.title}" is open: > submit to press "{modal.submit_label}", '
                "> fill to change its fields, or > cancel to close it."
            )

    # the sandbox itself

    def _act_as(self, who: str) -> None:
        user = self.names.find_user(who) if who else None
        if user is None or user.deleted or user.is_bot:
            raise StepFailed(f"Act as one of {self.names.people()}, e.g. /as @dana.")
        self.user = user.id
        role = (
            ", workspace owner" if user.is_owner else ", workspace admin" if user.is_admin else ""
        )
        self.screen.note(f"You are now @{user.name} ({user.real_name}{role}).", style="bold")

    def _clock(self, argument: str) -> None:
        action, _, value = argument.partition(" ")
        clock = self.runtime.clock
        try:
            if action == "show" and not value:
                self.screen.note(f"Simulated time: {when(clock.now(), 'UTC')}", style="bold")
                return
            if action == "advance" and value:
                moved = clock.advance(parse_duration(value))
            elif action == "set" and value:
                moved = clock.set(parse_moment(value))
            else:
                raise StepFailed("Use /clock show, /clock advance 10d or /clock set ISO-TIME.")
        except LicensingError as refusal:
            raise StepFailed(refusal.message) from None
        self.screen.note(f"Simulated time: {when(moved, 'UTC')}", style="bold")
        self._settle()

    def _card(self, argument: str) -> None:
        if self._cards.run(argument):
            self._settle()

    def _help(self, argument: str) -> None:
        self.screen.note(HELP.format(people=self.names.people()), style="")

    def _quit(self, argument: str) -> None:
        self.finished = True

    def _expect(self, argument: str) -> None:
        wanted = _one_argument(argument, 'expect "text"')
        if _squeeze(wanted) not in _squeeze(self.last_output):
            raise StepFailed(f'"{wanted}" is not in what the step before showed.')

    def _settle(self, pressed: Placed | None = None) -> None:
        """Wait for the bot to finish; run the scheduler's sweeps, as its jobs would have run
        by then in production; then show all that happened."""
        self.runtime.settle()
        for closed in self.runtime.sweep():
            self.screen.note(_period_closed(closed), style="bold")
        self.runtime.settle()
        channel = pressed.channel if pressed and pressed.channel else TYPING_CHANNEL
        self.screen.events(self._feed.take(), channel, self.user)


def _one_argument(argument: str, usage: str) -> str:
    words = _words(argument)
    if len(words) != 1:
        raise StepFailed(f"Write it as {usage}.")
    return words[0]


def _pairs(argument: str) -> list[tuple[str, str]]:
    pairs = []
    for word in _words(argument):
        name, equals, value = word.partition("=")
        if not (equals and name.strip()):
            raise StepFailed(f'"{word}" is not name=value. Write e.g. > fill seats=3 user=@dana.')
        pairs.append((name, value))
    if not pairs:
        raise StepFailed("Say what to fill, e.g. > fill seats=3 product=talk.")
    return pairs


def _words(argument: str) -> list[str]:
    try:
        return shlex.split(argument)
    except ValueError:
        raise StepFailed(f"Close the quotes in: {argument}") from None


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _period_closed(closed: PeriodClosed) -> str:
    invoice = closed.invoice
    charged = f", invoice {money(invoice.total, invoice.currency)}" if invoice else ""
    return f"The sweep closed the period ending {when(closed.period_end, 'UTC')}: {closed.outcome}{charged}"
