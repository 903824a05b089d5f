"""The notices and their buttons."""

from __future__ import annotations

from commands.views.notices import notice_message
from tests.commands.views.samples import all_notices


def test_a_removal_notice_offers_both_buttons_for_every_pool() -> None:
    removal = notice_message(all_notices()[0])
    actions = [b for b in removal["blocks"] if b["type"] == "actions"]
    assert len(actions) == 20
    assert "…and 5 more pool(s)" in str(removal["blocks"][-1])
    assert [e["text"]["text"] for e in actions[0]["elements"]] == [
        "Restore 2 seats",
        "Choose how many…",
    ]
    assert removal["text"] == "50 seat(s) are scheduled for removal on Feb 28, 2026 10:00 CET"


def test_a_renewal_result_lists_removals_and_the_invoice_in_the_accounts_time_zone() -> None:
    renewed = str(notice_message(all_notices()[4])["blocks"])
    assert "2 talk seat(s) left Main" in renewed
    assert "Charged *45.00 USD* (invoice #7) for Feb 28, 2026 – Mar 31, 2026" in renewed
