"""Assigning and revoking: at once from the command, or through the modal when arguments lack."""

from __future__ import annotations

from licensing.calendar import Interval
from licensing.model import RoleName
from licensing.requests import AddOffice, GrantRole, Purchase, Subscribe
from licensing.schemas import AccountKey, Actor
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def _with_seats(slack: Slack, seats: int) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=seats, product="talk"), "seats")


def test_assign_without_arguments_asks_in_a_modal_and_confirms_ephemerally(slack: Slack) -> None:
    _with_seats(slack, 2)
    slack.send.slash_command("assign", channel="C0LICENSES")
    modal = slack.fake.latest_view()
    assert modal["callback_id"] == "people_entry"
    send = slack.send
    values = {
        "user": {"user_value": send.users_select("UDANA")},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }
    assert send.view_submission(modal, values=values).status == 200
    [told] = slack.fake.wait_for("chat.postEphemeral")
    assert told.params["channel"] == "C0LICENSES" and told.params["user"] == "UOWNER"
    assert told.params["text"] == "<@UDANA> now holds a Talk seat in Main. 1 seat left."


def test_the_modal_refuses_a_deleted_user_on_the_field(slack: Slack) -> None:
    _with_seats(slack, 1)
    slack.send.slash_command("assign talk")
    values = {
        "user": {"user_value": slack.send.users_select("UGONE")},
        "product": {"product_value": slack.send.static_select("talk")},
        "office": {"office_value": slack.send.static_select("Main")},
    }
    answer = slack.send.view_submission(slack.fake.latest_view(), values=values).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"user": "Pick an active member of this workspace."},
    }


def test_revoke_lists_the_add_ons_revoked_with_the_license(slack: Slack) -> None:
    _with_seats(slack, 1)
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="recording"), "rec")
    slack.send.slash_command("assign <@UDANA> talk")
    slack.send.slash_command("assign <@UDANA> recording")
    answer = slack.send.slash_command("revoke <@UDANA|dana> talk").json()
    assert answer["text"] == (
        "<@UDANA> no longer holds a Talk seat in Main. "
        "Also revoked: Call Recording. The seat is available again."
    )


def test_an_office_admin_of_another_office_is_refused(slack: Slack) -> None:
    _with_seats(slack, 2)
    slack.service.handle(TEAM, OLIVIA, AddOffice(name="Berlin"))
    slack.service.handle(
        TEAM, OLIVIA, GrantRole(user_id="UERIK", role=RoleName.OFFICE_ADMIN, office="Berlin")
    )
    answer = slack.send.slash_command("assign <@UDANA> talk Main", user="UERIK").json()
    assert "only company admins and admins of Main can" in answer["text"]
    [account] = slack.service.export()
    assert account.offices[0].pools[0].assigned_user_ids == []


def test_admins_and_the_notice_channel_are_set_from_the_command(slack: Slack) -> None:
    slack.send.slash_command("status")
    assert slack.send.slash_command("admins add <@UDANA>").json()["text"] == (
        "<@UDANA> is now a company admin."
    )
    listed = slack.send.slash_command("admins list").json()["text"]
    assert "<@UDANA> — company admin" in listed
    assert slack.send.slash_command("channel <#C0LICENSES|licenses>").json()["text"] == (
        "Notices will go to <#C0LICENSES>."
    )
    assert "Nothing recorded" not in slack.send.slash_command("audit").json()["text"]


def test_the_reading_and_settings_subcommands_answer_with_what_an_admin_checks(
    slack: Slack,
) -> None:
    _with_seats(slack, 2)
    send = slack.send
    send.slash_command("assign <@UDANA> talk")
    assert send.slash_command("users talk").json()["text"] == "*Talk* in Main: <@UDANA>"
    assert send.slash_command("offices add Berlin").json()["text"] == "Offices: Main, Berlin."
    assert send.slash_command("offices").json()["text"] == "Offices: Main, Berlin."
    assert send.slash_command("timezone Europe/Berlin").json()["text"] == (
        "Billing time zone is now Europe/Berlin. The current period still ends on "
        "Feb 14, 2026 10:00 CET; the periods after it follow Europe/Berlin."
    )
    assert "is not a time zone" in send.slash_command("timezone Mars/Base").json()["text"]
    assert send.slash_command("invoices").json()["text"] == "No invoices yet."
    send.slash_command("subscription billing Visa ending 4242")
    slack.service.handle(TEAM, OLIVIA, Subscribe(interval=Interval.MONTH, start_now=True), "s")
    invoices = send.slash_command("invoices").json()["text"]
    assert "first period, for Jan 31, 2026 – Feb 28, 2026" in invoices
    assert "*30.00 USD* — 2 × Talk (Main) 30.00 USD" in invoices
    status = send.slash_command("subscription").json()
    assert "Subscription *active* (monthly)" in str(status["blocks"])
    assert "Next invoice estimate: *30.00 USD*" in str(status["blocks"])
