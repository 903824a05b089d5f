"""`licensebot sandbox --script FILE`: the console's lines read from a file, each echoed with
what it showed; the first step that fails stops the run and says why."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text

from licensing.card_data import masked
from sandbox.errors import StepFailed
from sandbox.session import Session


@dataclass(frozen=True)
class Step:
    number: int
    line_number: int
    text: str


def read_steps(lines: Iterable[str]) -> list[Step]:
    """Every line but blank ones and comments (lines that start with #)."""
    steps: list[Step] = []
    for line_number, line in enumerate(lines, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            steps.append(Step(len(steps) + 1, line_number, text))
    return steps


def run_script(session: Session, steps: list[Step], source: str) -> int:
    """0 when every step passed; 1 at the first that failed, named on stderr. A card number
    in a step (which the step refuses) is shown masked, so no transcript keeps it."""
    for step in steps:
        shown = masked(step.text)
        session.screen.console.print(Text(session.prompt + shown, style="bold"), soft_wrap=True)
        try:
            session.run(step.text)
        except StepFailed as failure:
            print(
                f"licensebot sandbox: step {step.number} ({source}, line {step.line_number}) "
                f"`{shown}` failed: {failure.reason}",
                file=sys.stderr,
            )
            return 1
        if session.finished:
            break
    return 0
