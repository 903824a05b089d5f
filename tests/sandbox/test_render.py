"""Each Block Kit element licensebot uses, as the sandbox shows it, from the app's real views."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from commands.carried import SeatPreset
from commands.parsing.slash_text import LicenseCommand
from commands.views.common import done_modal, text_message
from commands.views.notices import notice_after_action, notice_message
from commands.views.people import people_entry_modal
from commands.views.seats import (
    no_seat_message,
    purchase_done_text,
    purchase_review_modal,
    seats_entry_modal,
)
from commands.views.status import home_view
from commands.views.subscription import subscribe_entry_modal, subscribe_review_modal
from licensing.catalog import load_catalog
from licensing.errors import NoSeatAvailable
from sandbox.names import WorkspaceNames
from sandbox.render import message_card, view_card
from slack_standin.workspace import Workspace
from tests.commands.views.samples import QUOTE, STATUS, SUBSCRIBE, all_notices

NAMES = WorkspaceNames(Workspace())


def shown(view: Any, first_number: int = 1) -> str:
    return view_card(view.to_dict(), NAMES, first_number).plain


def test_a_home_tab_shows_header_context_sections_divider_and_numbered_buttons() -> None:
    assert shown(home_view(STATUS), first_number=4).splitlines() == [
        "App Home",
        "Licenses",
        "Subscription active (monthly) · Period ends Feb 28, 2026 10:00 CET",
        "Talk in Main",
        "5 purchased · 2 assigned · 2 available · 1 scheduled for removal"
        " · unassigned seats cost 30.00 USD a month",
        "─" * 40,
        "Next invoice estimate: 60.00 USD",
        "Notices go to company admins by DM; reminders 3 days before each period ends.",
        "Your seats: Talk (Main)",
        "[4] Buy seats  [5] Remove seats  [6] Restore seats",
    ]


def test_the_buttons_of_a_card_carry_their_action_and_value() -> None:
    card = view_card(home_view(STATUS).to_dict(), NAMES, 1)
    assert [(b.number, b.label, b.action_id, b.value) for b in card.buttons] == [
        (1, "Buy seats", "open_buy", "{}"),
        (2, "Remove seats", "open_remove", "{}"),
        (3, "Restore seats", "open_restore", "{}"),
    ]


def test_a_modal_shows_its_title_inputs_with_their_options_and_its_buttons() -> None:
    modal = seats_entry_modal(
        "buy",
        load_catalog(),
        ["Main", "Berlin"],
        SeatPreset(count=3, product="talk", office="Berlin"),
    )
    assert shown(modal).splitlines() == [
        "Modal: Buy seats",
        "Seats: 3",
        "Product: Talk",
        "  1) Talk · 2) Meetings · 3) Call Recording",
        "Office: Berlin",
        "  1) Main · 2) Berlin",
        "( Cancel )  ( Next )",
    ]


def test_empty_inputs_show_a_blank_and_a_users_select_is_an_input_too() -> None:
    modal = people_entry_modal(
        "revoke", load_catalog(), ["Main"], LicenseCommand(name="revoke"), "C0GENERAL"
    )
    assert shown(modal).splitlines()[:3] == [
        "Modal: Revoke a seat",
        "User: ______",
        "Product: ______",
    ]


def test_a_chosen_user_shows_by_name_and_an_input_shows_its_hint() -> None:
    command = LicenseCommand(name="assign", user_id="UDANA")
    assign = people_entry_modal("assign", load_catalog(), ["Main"], command, "C0GENERAL")
    assert "User: @dana" in shown(assign)
    subscribe = shown(subscribe_entry_modal(STATUS, "year"))
    assert "Billing: Annual\n  1) Monthly · 2) Annual" in subscribe
    assert "Talk seats in Main: 5\n  At least 2, the seats assigned now" in subscribe


def test_a_review_modal_shows_the_amounts_and_its_confirm_button() -> None:
    review = shown(purchase_review_modal(QUOTE, "{}"))
    assert "• 2 new seats charged 19.29 USD now, prorated from Feb 10, 2026 09:00 UTC" in review
    assert review.endswith("( Cancel )  ( Confirm purchase )")
    subscribe = shown(subscribe_review_modal(SUBSCRIBE, "{}"))
    assert subscribe.endswith("( Back )  ( Subscribe )")


def test_a_result_modal_has_only_its_close_button() -> None:
    done = shown(done_modal("Done", purchase_done_text(QUOTE, "UOWNER")))
    assert done.splitlines() == [
        "Modal: Done",
        "@olivia bought 3 Talk seats in Main: 1 restored free, 19.29 USD charged",
        "( Done )",
    ]


def test_a_message_with_buttons_numbers_them_from_where_the_screen_is() -> None:
    refusal = NoSeatAvailable("Talk", purchased=3, assigned=3, scheduled=1)
    card = message_card("#general", no_seat_message(refusal, "talk", "Main", "UDANA"), NAMES, 7)
    assert card.plain.splitlines()[-1] == "[7] Buy 1 seat  [8] Restore 1 seat"


def test_a_removal_notice_shows_its_restore_buttons_per_pool() -> None:
    notice = notice_message(all_notices()[0])
    lines = message_card("#licenses · licensebot", notice, NAMES, 1).plain.splitlines()
    assert lines[1:5] == [
        "⏳ 50 seats are scheduled for removal on Feb 28, 2026 10:00 CET.",
        "They leave when the period ends. Restore any you still need: it is free.",
        "Talk in Office 0: 2 of 5 seats scheduled for removal",
        "[1] Restore 2 seats  [2] Choose how many…",
    ]
    assert lines[-1] == "…and 5 more pools: see /license status, restore with /license restore."


def test_renewal_cancellation_and_result_notices_read_as_slack_shows_them() -> None:
    renewal, _, cancellation, renewed = (
        message_card("#licenses", notice_message(n), NAMES, 1).plain for n in all_notices()[1:5]
    )
    assert renewal.splitlines()[1:] == [
        "📆 Your subscription renews on Feb 28, 2026 10:00 CET.",
        "• 3 × talk in Main: 45.00 USD",  # facts stored before names were kept
        "Total charged in advance for the next month: 45.00 USD",
        "To change it, /license remove or /license buy seats before then.",
    ]
    assert cancellation.splitlines()[-1] == "[1] Reactivate"
    assert "Charged 45.00 USD (invoice #7) for Feb 28, 2026 – Mar 31, 2026" in renewed


def test_a_used_notice_shows_what_was_done_instead_of_its_buttons() -> None:
    notice = notice_message(all_notices()[3])
    notice["blocks"] = notice_after_action(
        notice["blocks"], "reactivate", "<@UDANA> reactivated the subscription"
    )
    card = message_card("#licenses", notice, NAMES, 1)
    assert card.plain.splitlines()[-1] == "✅ @dana reactivated the subscription"
    assert card.buttons == []


def test_a_text_only_message_reads_its_mrkdwn() -> None:
    message = text_message("Notices will go to <#C0LICENSES>. Ask <@UADMIN|adam>.")
    plain = message_card("only you", message, NAMES, 1).plain
    assert plain == "only you\nNotices will go to #licenses. Ask @adam."


def test_mrkdwn_styles_bold_italic_strike_code_and_links() -> None:
    message = {"text": "*Buy* _now_ ~never~ `/license` <https://x.test|docs> &lt;3 <!here>"}
    card = message_card("t", message, NAMES, 1)
    line = card.lines[0]
    assert line.plain == "Buy now never /license docs <3 @here"
    styles = {line.plain[span.start : span.end]: str(span.style) for span in line.spans}
    assert styles["Buy"] == "bold"
    assert styles["now"] == "italic"
    assert styles["never"] == "strike"
    assert styles["/license"] == "magenta"
    assert styles["docs"].startswith("underline link https://x.test")


def test_emoji_codes_show_as_emoji_and_unknown_ones_stay() -> None:
    message = {"text": ":white_check_mark: done at 10:30:00 :no_such_emoji:"}
    assert message_card("t", message, NAMES, 1).lines[0].plain == (
        "✅ done at 10:30:00 :no_such_emoji:"
    )


def test_bold_may_hold_a_mention() -> None:
    line = message_card("t", {"text": "*<@UDANA> left*"}, NAMES, 1).lines[0]
    assert line.plain == "@dana left"
    assert all("bold" in str(span.style) for span in line.spans)


def test_section_fields_and_accessory_context_images_and_other_inputs() -> None:
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": "notice",
            "text": {"type": "mrkdwn", "text": "2 seats are *scheduled for removal*"},
            "accessory": {
                "type": "button",
                "action_id": "restore",
                "text": _plain("Restore 2 seats"),
            },
            "fields": [
                {"type": "mrkdwn", "text": "*Seats*\n2"},
                {"type": "plain_text", "text": "Talk"},
            ],
        },
        {
            "type": "context",
            "elements": [{"type": "image", "alt_text": "logo"}, _mrkdwn("by <@UOWNER>")],
        },
        {"type": "image", "alt_text": "a chart", "image_url": "https://x.test/c.png"},
        _input("how", {"type": "radio_buttons", "options": [_option("now"), _option("later")]}),
        _input("where", {"type": "conversations_select", "initial_conversation": "C0LICENSES"}),
        _input("note", {"type": "plain_text_input"}, optional=True),
        _input("when", {"type": "datepicker"}),
        {"type": "rich_text", "elements": []},
    ]
    card = view_card({"type": "modal", "title": _plain("Notice"), "blocks": blocks}, NAMES, 1)
    assert card.plain.splitlines() == [
        "Modal: Notice",
        "2 seats are scheduled for removal  [1] Restore 2 seats",
        "Seats",
        "2",
        "Talk",
        "[logo] · by @olivia",
        "[image: a chart]",
        "how: ______",
        "  1) now · 2) later",
        "where: #licenses",
        "note: ______ (optional)",
        "when: [a datepicker, which the sandbox cannot fill]",
        "[a rich_text block]",
        "( Close )",
    ]


def test_a_card_is_a_panel_titled_with_where_it_was_shown() -> None:
    console = Console(file=io.StringIO(), width=60)
    console.print(message_card("#licenses · licensebot", {"text": "hello"}, NAMES, 1))
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert printed.splitlines()[0].startswith("╭─ #licenses · licensebot ")
    assert "│ hello" in printed


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _option(value: str) -> dict[str, Any]:
    return {"text": _plain(value), "value": value}


def _input(label: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": label,
        "label": _plain(label),
        "optional": optional,
        "element": {"action_id": label, **element},
    }
