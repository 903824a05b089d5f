"""`/license` end to end: signed HTTP requests in, HTTP answers and Web API calls out."""

from __future__ import annotations

import time
import urllib.request

from sqlalchemy import Engine, text

from licensing.requests import Purchase
from licensing.schemas import AccountKey, Actor
from tests.e2e.conftest import Slack

TEAM = AccountKey(team_id="T0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


def test_a_workspace_admins_first_command_opens_the_account_on_a_trial(slack: Slack) -> None:
    answer = slack.send.slash_command("status", user="UOWNER")
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert "Subscription *trialing*" in str(body["blocks"])


def test_a_member_cannot_open_the_account(slack: Slack) -> None:
    answer = slack.send.slash_command("status", user="UDANA").json()
    assert "a workspace admin or owner needs to run `/license status` once" in answer["text"]


def test_help_lists_the_subcommands(slack: Slack) -> None:
    text = slack.send.slash_command("help").json()["text"]
    for sub in (
        "status",
        "buy N",
        "remove N",
        "restore N",
        "assign @user",
        "revoke @user",
        "users",
        "subscription",
        "invoices",
        "audit",
        "admins",
        "channel",
    ):
        assert sub in text


def test_command_text_that_holds_the_word_payload_is_read_as_a_command(slack: Slack) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command("users payload")
    assert answer.status == 200
    assert "“payload” is neither a product" in answer.json()["text"]


def test_billing_details_holding_a_card_are_refused_and_nothing_is_stored(
    slack: Slack, engine: Engine
) -> None:
    slack.send.slash_command("status")  # opens the account
    answer = slack.send.slash_command("subscription billing 4242 4242 4242 4242 cvc 123").json()
    assert "Card details are never taken in Slack" in answer["text"]
    assert "4242 4242" not in answer["text"]
    [account] = slack.service.export()
    assert "billing_details_updated" not in [entry.event for entry in account.ledger]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT billing_details FROM accounts")).scalar_one() is None


def test_unsigned_wrong_or_stale_requests_are_refused_and_change_nothing(slack: Slack) -> None:
    assert slack.send.slash_command("status", unsigned=True).status == 401
    assert slack.send.slash_command("status", signature="v0=" + "0" * 64).status == 401
    stale = int(time.time()) - 6 * 60
    assert slack.send.slash_command("status", timestamp=stale).status == 401
    assert list(slack.service.export()) == []


def test_buying_runs_through_entry_review_and_confirm(slack: Slack) -> None:
    slack.send.slash_command("status")  # opens the account
    slack.send.slash_command("subscription billing Visa ending 4242")
    answer = slack.send.slash_command("buy 3 talk")
    assert answer.status == 200
    slack.fake.wait_for("views.open")
    entry = slack.fake.latest_view()
    assert entry["callback_id"] == "seats_entry"

    send = slack.send
    values = {
        "count": {"count_value": send.number_input("3")},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }
    review = slack.send.view_submission(entry, values=values).json()
    assert review["response_action"] == "update"
    assert review["view"]["callback_id"] == "seats_review"
    assert "3 seats added free during the trial" in str(review["view"]["blocks"])

    review_view = {**entry, **review["view"], "id": entry["id"]}
    done = slack.send.view_submission(review_view).json()
    assert done["response_action"] == "update"
    assert "bought 3 Talk seats in Main" in str(done["view"]["blocks"])
    again = slack.send.view_submission(review_view).json()  # a double click
    assert again["view"]["blocks"] == done["view"]["blocks"]
    [account] = slack.service.export()
    assert account.offices[0].pools[0].purchased == 3
    assert [e.event for e in account.ledger].count("trial_seats_added") == 1


def test_field_errors_come_back_on_the_field(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.send.slash_command("remove 2 talk")
    entry = slack.fake.latest_view()
    send = slack.send
    values = {
        "count": {"count_value": send.number_input("2")},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }
    answer = send.view_submission(entry, values=values).json()
    assert answer["response_action"] == "errors"
    assert "Only unassigned seats can be removed" in answer["errors"]["count"]


def test_assign_refused_when_full_offers_buy_and_restore(slack: Slack) -> None:
    slack.send.slash_command("status")
    slack.service.handle(TEAM, OLIVIA, Purchase(count=1, product="talk"), "k")
    ok = slack.send.slash_command("assign <@UDANA|dana> talk").json()
    assert ok["text"] == "<@UDANA> now holds a Talk seat in Main. 0 seats left."
    full = slack.send.slash_command("assign <@UERIK|erik> talk").json()
    assert "No Talk seat is free: 1 purchased, 1 assigned, 0 scheduled for removal" in full["text"]
    assert [e["action_id"] for e in full["blocks"][1]["elements"]] == ["open_buy"]
    gone = slack.send.slash_command("assign <@UGONE> talk").json()
    assert "is not an active member of this workspace" in gone["text"]


def test_members_are_refused_and_nothing_changes(slack: Slack) -> None:
    slack.send.slash_command("status")
    answer = slack.send.slash_command("assign <@UERIK> talk", user="UDANA").json()
    assert "You cannot assign seats: only company admins and admins of Main can" in answer["text"]
    [account] = slack.service.export()
    assert account.offices[0].pools == []


def test_the_health_check_answers(slack: Slack) -> None:
    with urllib.request.urlopen(slack.base_url + "/healthz", timeout=5) as response:
        assert response.status == 200 and response.read() == b"ok"
