"""SlackRequester against a server that checks signatures as Bolt does, with slack_sdk's
SignatureVerifier."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from tests.slack_standin.conftest import MODAL, NOTICE_BLOCKS, SECRET


@pytest.fixture
def requester(bot_url: str, fake: FakeSlack) -> SlackRequester:
    return SlackRequester(bot_url, SECRET, fake.workspace, fake)


def test_signed_slash_command_verifies(requester: SlackRequester, fake: FakeSlack) -> None:
    response = requester.slash_command("buy 3", user="UDANA")

    assert response.status == 200
    form = response.json()["form"]
    assert (form["command"], form["text"], form["user_name"]) == ("/license", "buy 3", "dana")
    assert form["team_id"] == "T0001" and form["channel_name"] == "general"
    assert form["response_url"].startswith(fake.base_url + "response/")
    assert form["trigger_id"] == requester.last_trigger_id


@pytest.mark.parametrize(
    "overrides",
    [{"signature": "v0=" + "0" * 64}, {"timestamp": int(time.time()) - 6 * 60}, {"unsigned": True}],
    ids=["wrong-signature", "six-minutes-old", "unsigned"],
)
def test_bad_signatures_are_rejected(requester: SlackRequester, overrides: Any) -> None:
    assert requester.slash_command("status", **overrides).status == 401


def test_view_submission_payload_round_trips(requester: SlackRequester, fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    client.views_open(trigger_id=requester.last_trigger_id or "t", view=MODAL)
    values = {
        "seats": {"count": requester.number_input(3)},
        "who": {"u": requester.users_select("UFAY")},
    }

    response = requester.view_submission(fake.latest_view(), user="UADMIN", values=values)
    payload = response.json()["payload"]

    assert payload["type"] == "view_submission"
    assert payload["user"] == {
        "id": "UADMIN",
        "username": "adam",
        "name": "adam",
        "team_id": "T0001",
    }
    assert payload["view"]["state"]["values"] == values
    assert payload["view"]["id"] == "V0001"
    assert payload["view"]["private_metadata"] == MODAL["private_metadata"]
    assert payload["view"]["hash"] == fake.views["V0001"]["hash"]


def test_block_action_clicks_the_button_in_the_message(
    requester: SlackRequester, fake: FakeSlack
) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    client.chat_postMessage(channel="C0LICENSES", text="Seats go soon", blocks=NOTICE_BLOCKS)
    message = fake.messages["C0LICENSES"][0]

    payload = requester.block_action("restore", user="UADMIN", message=message).json()["payload"]

    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == ("restore", "notice", "3")
    assert payload["container"]["message_ts"] == message["ts"]
    assert payload["channel"]["id"] == "C0LICENSES"

    WebhookClient(payload["response_url"]).send(text="Done by adam", replace_original=True)
    assert fake.messages["C0LICENSES"][0]["text"] == "Done by adam"
    assert fake.responses[requester.last_response_name or ""][0]["replace_original"] is True


def test_event_envelope_round_trips(requester: SlackRequester) -> None:
    event = {"type": "app_home_opened", "user": "UDANA", "tab": "home"}
    envelope = requester.event(event).json()["json"]

    assert envelope["type"] == "event_callback"
    assert envelope["event"]["user"] == "UDANA" and envelope["team_id"] == "T0001"
    assert envelope["event_id"] != requester.event(event).json()["json"]["event_id"]


def test_expired_trigger_is_refused(requester: SlackRequester, fake: FakeSlack) -> None:
    requester.slash_command("buy")
    fake.trigger_ttl = 0
    time.sleep(0.01)
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(trigger_id=requester.last_trigger_id or "", view=MODAL)
