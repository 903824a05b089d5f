"""A session against the running bot: commands, modals, buttons, the clock, and bad input."""

from __future__ import annotations

from urllib.request import Request, urlopen

import pytest
from slack_sdk import WebClient

from sandbox.runtime import SandboxRuntime
from sandbox.session import Session
from tests.sandbox.steps import SAVE_A_CARD, refused, run


def test_a_command_shows_the_bots_ephemeral_answer(session: Session) -> None:
    shown = run(session, "/license status")
    assert shown.startswith("only @olivia sees this · #general\nLicenses")
    assert "Trial ends Feb 14, 2026 09:00 UTC" in shown


def test_a_mention_is_sent_escaped_as_slack_sends_it(session: Session) -> None:
    assert "Notices will go to #licenses." in run(session, "/license channel #licenses")


def test_a_purchase_goes_through_its_modal_review_and_the_notice_channel(
    session: Session,
) -> None:
    run(session, "/license channel #licenses", "/license buy 2 talk")
    assert session.waiting_modal is not None and session.waiting_modal.title == "Buy seats"
    assert run(session, "> fill seats=4 product=Talk") == "filled Seats = 4, Product = Talk"
    review = run(session, "> submit")
    assert 'pressed "Next"' in review and "• 4 seats added free during the trial" in review
    done = run(session, "> submit")
    assert "Modal: Done\n@olivia bought 4 Talk seats in Main\n( Done )" in done
    assert "#licenses · licensebot\n@olivia bought 4 Talk seats in Main" in done
    assert session.waiting_modal is None
    assert "#licenses · licensebot" not in run(session, "/license status")  # shown once


def test_field_errors_from_the_bot_stay_on_the_open_modal(session: Session) -> None:
    run(session, "/license buy 1 talk", "> submit", "> submit", "/license assign @dana talk")
    run(session, "/license subscription billing Acme Ltd", *SAVE_A_CARD)
    run(session, "/license subscription subscribe")
    shown = run(session, '> fill "talk seats in main=0"', "> submit")
    assert "Talk seats in Main: 0" in shown
    assert "⚠ Main has 1 Talk seat assigned" in shown
    assert "is open" in refused(session, "/license status")
    run(session, "> cancel")
    assert "Licenses" in run(session, "/license status")


def test_fields_refuse_what_slacks_own_client_would(session: Session) -> None:
    run(session, "/license buy 1 talk")
    assert refused(session, "> fill seats=two") == "Seats: enter a whole number, e.g. 3."
    assert refused(session, "> fill seats=0") == "Seats: enter 1 or more."
    assert refused(session, "> fill product=phones") == (
        "Product: choose one of Talk, Meetings, Call Recording."
    )
    assert refused(session, "> fill colour=red").startswith(
        '"colour" is not a field of this modal. Its fields: "Seats", "Product", "Office".'
    )
    assert "name=value" in refused(session, "> fill seats")
    assert run(session, "> fill product=2 office=1") == "filled Product = Meetings, Office = Main"


def test_a_users_field_takes_a_name_and_must_be_filled(session: Session) -> None:
    run(session, "/license buy 2 talk", "> submit", "> submit", "/license assign")
    assert refused(session, "> submit").startswith('Fill "User", "Product" first')
    assert "pick someone in the workspace" in refused(session, "> fill user=@zed")
    run(session, "> fill user=@erik product=talk")
    shown = run(session, "> submit")
    assert "only @olivia sees this · #general\n@erik now holds a Talk seat in Main." in shown


def test_buttons_are_pressed_by_number_or_by_label(session: Session) -> None:
    home = run(session, "/license status", "/home")
    assert "[1] Buy seats  [2] Remove seats  [3] Restore seats" in home
    assert "Modal: Buy seats" in run(session, "1")
    run(session, "> cancel")
    assert "Modal: Remove seats" in run(session, '> press "remove seats"')


def test_a_button_in_an_ephemeral_answer_opens_its_modal(session: Session) -> None:
    run(session, "/license buy 1 talk", "> submit", "> submit", "/license assign @dana talk")
    refusal = run(session, "/license assign @erik talk")
    assert "No Talk seat is free" in refusal and "[1] Buy 1 seat" in refusal
    assert "Modal: Buy seats\nSeats: 1" in run(session, '> press "Buy 1 seat"')


def test_a_notice_button_in_the_channel_opens_its_modal(session: Session) -> None:
    run(session, "/license channel #licenses", "/license buy 1 talk", "> submit", "> submit")
    run(session, "/license subscription billing Acme Ltd", *SAVE_A_CARD)
    notice = run(session, "/clock advance 12d")
    assert "#licenses · licensebot\n⏱ Your free trial ends on Feb 14, 2026 09:00 UTC." in notice
    assert "Modal: Subscribe\nBilling: Monthly" in run(session, '> press "Subscribe"')


def test_an_edited_message_shows_as_an_edit_and_its_old_buttons_stop_working(
    session: Session, runtime: SandboxRuntime
) -> None:
    web = WebClient(token="xoxb-test", base_url=runtime.fake.api_url)
    button = {
        "type": "button",
        "action_id": "open_restore",
        "text": {"type": "plain_text", "text": "Restore"},
    }
    blocks = [{"type": "actions", "elements": [button]}]
    posted = web.chat_postMessage(channel="C0LICENSES", text="2 seats leave", blocks=blocks)
    assert "#licenses · licensebot\n[1] Restore" in run(session, "/clock advance 1m")
    web.chat_update(channel="C0LICENSES", ts=posted["ts"], text="Restored by <@UDANA>", blocks=[])
    shown = run(session, "/clock advance 1m")
    assert shown.splitlines()[1:] == [
        '✎ licensebot edited its message in #licenses that said "2 seats leave":',
        "#licenses · licensebot · edited",
        "Restored by @dana",
    ]
    assert refused(session, "1") == "Button 1 is no longer shown: its message or view has changed."


def test_a_direct_message_and_a_deleted_message_say_where_they_were(
    session: Session, runtime: SandboxRuntime
) -> None:
    web = WebClient(token="xoxb-test", base_url=runtime.fake.api_url)
    posted = web.chat_postMessage(channel="UDANA", text="Your *Talk* seat is ready")
    assert run(session, "/clock advance 1m").splitlines()[1:] == [
        "DM with @dana · licensebot",
        "Your Talk seat is ready",
    ]
    url = runtime.fake.response_url_for("r", channel=posted["channel"], message_ts=posted["ts"])
    urlopen(Request(url, data=b'{"delete_original": true}', method="POST"), timeout=60).close()
    shown = run(session, "/clock advance 1m")
    assert shown.splitlines()[1:] == [
        'licensebot deleted its message in DM with @dana: "Your Talk seat is ready"'
    ]


def test_a_refused_web_api_call_is_shown_and_the_bot_goes_on(session: Session) -> None:
    shown = run(session, "/license status", "/license assign <@UNOBODY> talk")
    assert "<@UNOBODY> is not an active member of this workspace" not in shown
    assert "@UNOBODY is not an active member of this workspace." in shown
    assert "Slack answered users.info: user_not_found" in shown


def test_the_clock_moves_forward_only_and_sweeps_as_it_moves(session: Session) -> None:
    assert run(session, "/clock show") == "Simulated time: Jan 31, 2026 09:00 UTC"
    run(session, "/license buy 1 talk", "> submit", "> submit")
    shown = run(session, "/clock advance 2w1d").splitlines()
    assert shown[:2] == [
        "Simulated time: Feb 15, 2026 09:00 UTC",
        "The sweep closed the period ending Feb 14, 2026 09:00 UTC: expired",
    ]
    assert shown[2:4] == [
        "DM with @olivia · licensebot",
        "🧾 Your free trial ended on Feb 14, 2026 09:00 UTC.",
    ]
    assert "only moves forward" in refused(session, "/clock set 2026-01-01T00:00:00+00:00")


def test_switching_users_changes_who_asks(session: Session) -> None:
    run(session, "/license status")
    assert run(session, "/as @dana") == "You are now @dana (Dana Diaz)."
    assert session.prompt == "@dana> "
    assert "only @dana sees this" in run(session, "/license status")


def test_expect_checks_what_the_step_before_showed(session: Session) -> None:
    run(session, "/license status", 'expect "Trial ends"', 'expect "Licenses"')
    assert refused(session, 'expect "Period ends"') == (
        '"Period ends" is not in what the step before showed.'
    )


@pytest.mark.parametrize(
    ("line", "advice"),
    [
        ("/frobnicate", '"/frobnicate" is not a sandbox command. Type /help for the list.'),
        (
            "license status",
            '"license status" is not a sandbox command. Did you mean /license status? Type /help for the list.',
        ),
        (
            "press 2",
            '"press 2" is not a sandbox command. Did you mean > press 2? Type /help for the list.',
        ),
        ("/as @zed", "Act as one of @olivia, @adam, @dana, @erik, @fay, @gus, e.g. /as @dana."),
        ("/as @gone", "Act as one of @olivia, @adam, @dana, @erik, @fay, @gus, e.g. /as @dana."),
        ("> submit", "No modal is open. Open one with a /license command or a button."),
        ("> press 9", "There is no button [9]. Press one of the numbers shown."),
        ('> press "Launch"', 'No button "Launch" has been shown. Press one that was.'),
        ("> press", 'Write it as > press 3 or > press "Restore 2 seats".'),
        ('expect "open', 'Close the quotes in: "open'),
        ("/clock advance soon", "“soon” is not a duration. Use forms like 10d, 36h, 1w2d or 90m."),
        ("/clock back", "Use /clock show, /clock advance 10d or /clock set ISO-TIME."),
        (
            "/clock set monday",
            '"monday" is not an ISO time with an offset, e.g. 2026-01-31T09:00:00+00:00.',
        ),
    ],
)
def test_bad_input_says_what_to_do(session: Session, line: str, advice: str) -> None:
    assert refused(session, line) == advice


def test_help_lists_the_commands_and_the_people(session: Session) -> None:
    shown = run(session, "/help")
    for command in ("/license", "/as @dana", "/home", "/clock advance 10d", "> fill", "expect"):
        assert command in shown
    assert "@olivia, @adam, @dana, @erik, @fay, @gus" in shown
