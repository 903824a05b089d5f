"""The interactive console in a pseudo-terminal, typed into as a person would."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

import pexpect
import pytest

# Every wait is generous: a loaded machine makes the test slower, never red.
PATIENCE_SECONDS = 120


@pytest.fixture
def console() -> Iterator[pexpect.spawn[str]]:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot.cli", "sandbox", "--start", "2026-01-31T09:00:00+00:00"],
        env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"},
        encoding="utf-8",
        timeout=PATIENCE_SECONDS,
        dimensions=(50, 160),
        # as from a person's terminal, whatever the tests were started from: a shell runs a
        # background job with SIGINT ignored, and the console would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        yield child
    finally:
        child.close(force=True)


def test_the_prompt_runs_commands_guides_through_modals_and_quits(
    console: pexpect.spawn[str],
) -> None:
    console.expect_exact("@olivia> ")
    console.sendline("/license status")
    console.expect_exact("Trial ends Feb 14, 2026 09:00 UTC")
    console.expect_exact("@olivia> ")

    console.sendline("/license buy 2 talk")
    console.expect_exact("Seats [2]: ")
    console.sendline("two")
    console.expect_exact("Seats: enter a whole number, e.g. 3.")
    console.expect_exact("Seats [2]: ")
    console.sendline("4")
    console.expect_exact("Product [Talk]: ")
    console.sendline("")
    console.expect_exact("Office [Main]: ")
    console.sendline("")
    console.expect_exact('Enter: "Next" · c: "Cancel" ▸ ')
    console.sendline("")
    console.expect_exact("4 seats added free during the trial")
    console.expect_exact('Enter: "Confirm purchase" · c: "Cancel" ▸ ')
    console.sendline("")
    console.expect_exact("@olivia bought 4 Talk seats in Main")
    console.expect_exact("@olivia> ")

    console.sendline("/home")
    console.expect_exact("[1] Buy seats")
    console.expect_exact("@olivia> ")
    console.sendline("2")
    console.expect_exact("Modal: Remove seats")
    console.expect_exact("Seats []: ")
    console.sendcontrol("c")
    console.expect_exact('the modal "Remove seats" closed')

    console.expect_exact("@olivia> ")
    console.sendline("/as @dana")
    console.expect_exact("@dana> ")
    console.sendline("/quit")
    console.expect(pexpect.EOF)
    console.close()
    assert console.exitstatus == 0


def test_end_of_input_leaves_the_console(console: pexpect.spawn[str]) -> None:
    console.expect_exact("@olivia> ")
    console.sendeof()
    console.expect(pexpect.EOF)
    console.close()
    assert console.exitstatus == 0
