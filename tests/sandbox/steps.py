"""Steps of a session as tests take them: lines run, and the refusal of one."""

from __future__ import annotations

import pytest

from sandbox.errors import StepFailed
from sandbox.session import Session

# Where invoices are collected, subscribing needs a card: saved on the card page that
# /license subscription billing links to.
SAVE_A_CARD = ("/license subscription billing", "/card save 4242")


def run(session: Session, *lines: str) -> str:
    for line in lines:
        session.run(line)
    return session.last_output


def refused(session: Session, line: str) -> str:
    with pytest.raises(StepFailed) as failure:
        session.run(line)
    return failure.value.reason
