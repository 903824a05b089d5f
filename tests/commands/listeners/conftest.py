from __future__ import annotations

import pytest

from tests.commands.listeners.fakes import Harness


@pytest.fixture
def harness() -> Harness:
    """A fake service with the account T1 open, Slack with U1 (an admin) and U1 asking."""
    return Harness()
