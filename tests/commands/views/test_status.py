"""The status reply."""

from __future__ import annotations

from commands.views.status import status_message
from tests.commands.views.samples import STATUS


def test_status_shows_what_idle_seats_cost() -> None:
    text = str(status_message(STATUS))
    assert "5 purchased · 2 assigned · 2 available · 1 scheduled for removal" in text
    assert "unassigned seats cost 30.00 USD a month" in text
    assert "Notices go to company admins by DM; reminders 3 day(s) before each period ends" in text
