"""The notices and their buttons."""

from __future__ import annotations

from typing import Any

from commands import ids
from commands.views.common import Message
from commands.views.notices import closed_notice, notice_after_action, notice_message
from tests.commands.views.samples import all_notices, ended


def test_a_removal_notice_offers_both_buttons_for_every_pool() -> None:
    removal = notice_message(all_notices()[0])
    actions = [b for b in removal["blocks"] if b["type"] == "actions"]
    assert len(actions) == 20
    assert "…and 5 more pools" in str(removal["blocks"][-1])
    assert [e["text"]["text"] for e in actions[0]["elements"]] == [
        "Restore 2 seats",
        "Choose how many…",
    ]
    assert removal["text"] == "50 seats are scheduled for removal on Feb 28, 2026 10:00 CET"


def test_a_renewal_result_lists_removals_and_the_invoice_in_the_accounts_time_zone() -> None:
    renewed = str(notice_message(all_notices()[4])["blocks"])
    assert "2 talk seats left Main" in renewed
    assert "Charged *45.00 USD* (invoice #7) for Feb 28, 2026 – Mar 31, 2026" in renewed


def test_a_removal_notice_of_one_seat_speaks_of_one_seat() -> None:
    notice = all_notices()[0]
    one = notice.facts.removals[0].model_copy(update={"seats": 1})
    facts = notice.facts.model_copy(update={"removals": [one]})
    message = notice_message(notice.model_copy(update={"facts": facts}))
    assert message["text"] == "1 seat is scheduled for removal on Feb 28, 2026 10:00 CET"
    assert message["blocks"][1]["text"]["text"] == (
        "*Talk* in Office 0: 1 of 5 seats scheduled for removal"
    )
    assert message["blocks"][2]["elements"][0]["text"]["text"] == "Restore 1 seat"


def test_a_cancellation_notice_counts_what_will_be_deleted() -> None:
    text = notice_message(all_notices()[3])["blocks"][0]["text"]["text"]
    assert text == (
        ":warning: *Your subscription ends on Feb 28, 2026 10:00 CET.*\n"
        "Then these are deleted: the office Main; 5 seats (2 assigned); 1 admin role. "
        "Invoices and the audit log are kept."
    )


def test_a_section_longer_than_slack_takes_is_cut_rather_than_refused() -> None:
    notice = all_notices()[1]
    lines = [notice.facts.lines[0].model_copy(update={"office": "x" * 75}) for _ in range(60)]
    long = notice.model_copy(update={"facts": notice.facts.model_copy(update={"lines": lines})})
    blocks = notice_message(long)["blocks"]
    assert len(blocks[0]["text"]["text"]) == 3000
    assert blocks[0]["text"]["text"].endswith("…")


def test_a_changed_renewal_says_the_new_amount_and_the_old() -> None:
    changed = all_notices()[7]
    message = notice_message(changed)
    assert message["text"] == (
        "The renewal on Feb 28, 2026 10:00 CET has changed: 45.00 USD (was 30.00 USD)"
    )
    assert (
        "Total charged in advance for the next month: *45.00 USD*, in place of 30.00 USD."
        in str(message["blocks"])
    )


def buttons(message: Message) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == "actions"]


def test_a_closed_cancellation_notice_says_the_subscription_ended_in_place_of_reactivate() -> None:
    notice = all_notices()[3]
    posted = notice_message(notice)

    closed = closed_notice(posted, ended(notice, "canceled"))

    assert closed is not None
    assert buttons(closed) == []
    assert closed["blocks"][:-1] == posted["blocks"][:-1]  # what it said stays
    assert closed["blocks"][-1] == {
        "type": "context",
        "block_id": ids.ENDED_BLOCK,
        "elements": [
            {
                "type": "mrkdwn",
                "text": ":lock: The subscription ended on Feb 28, 2026 10:00 CET. A company "
                "admin can start a new one with `/license subscription subscribe`.",
            }
        ],
    }
    assert closed["text"] == posted["text"]


def test_a_closed_removal_notice_keeps_what_its_buttons_did_and_says_which_seats_left() -> None:
    notice = all_notices()[0]
    clicked = notice_after_action(
        notice_message(notice)["blocks"], "restore_0", "<@UOWNER> restored 2 Talk seats"
    )
    posted = {"text": "50 seats are scheduled", "blocks": clicked}

    closed = closed_notice(posted, ended(notice, "renewed", removed=48))

    assert closed is not None and buttons(closed) == []
    said = str(closed["blocks"])
    assert ":white_check_mark: <@UOWNER> restored 2 Talk seats" in said
    assert "These seats left on Feb 28, 2026 10:00 CET: 48 Talk seats in Main." in said
    assert closed["text"] == "50 seats are scheduled"


def test_a_removal_notice_whose_seats_were_all_restored_says_none_left() -> None:
    closed = closed_notice(notice_message(all_notices()[0]), ended(all_notices()[0], "renewed"))
    assert closed is not None
    assert "No seats left on Feb 28, 2026 10:00 CET: those scheduled to leave were restored." in (
        str(closed["blocks"][-1])
    )


def test_a_notice_without_buttons_left_is_not_closed_again() -> None:
    notice = ended(all_notices()[3], "canceled")
    closed = closed_notice(notice_message(all_notices()[3]), notice)
    assert closed is not None
    assert closed_notice(closed, notice) is None  # closed already: a repeat changes nothing
    used = notice_after_action(closed["blocks"], ids.REACTIVATE_BLOCK, "reactivated")
    assert closed_notice({"text": "", "blocks": used}, notice) is None


def test_a_notice_posted_after_its_period_closed_comes_closed() -> None:
    notice = ended(all_notices()[3], "renewed")
    message = notice_message(notice)
    assert buttons(message) == []
    assert message["blocks"][-1]["elements"][0]["text"] == (
        ":lock: The subscription was reactivated: it renewed on Feb 28, 2026 10:00 CET."
    )
    trial = notice_message(ended(all_notices()[2], "started"))
    assert buttons(trial) == []
    assert "The free trial ended on Feb 28, 2026 10:00 CET and the subscription started." in (
        str(trial["blocks"][-1])
    )
