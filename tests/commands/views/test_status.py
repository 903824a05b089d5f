"""The status reply."""

from __future__ import annotations

from commands.views.status import reminders_message, status_message
from tests.commands.views.samples import STATUS


def test_status_shows_what_idle_seats_cost() -> None:
    text = str(status_message(STATUS))
    assert "5 purchased · 2 assigned · 2 available · 1 scheduled for removal" in text
    assert "unassigned seats cost 30.00 USD a month" in text
    assert "Notices go to company admins by DM; reminders 3 days before each period ends" in text


def test_a_reminder_lead_of_one_day_is_one_day() -> None:
    one_day = STATUS.model_copy(update={"notice_lead_days": 1})
    assert reminders_message(one_day)["text"] == (
        "Reminders go out 1 day before each period ends, to company admins by DM. "
        "Change it with `/license reminders DAYS` (1 to 30)."
    )
