"""The stand-in's Web API methods, called through slack_sdk's WebClient as the bot calls them."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin.server import FakeSlack
from tests.slack_standin.conftest import MODAL, NOTICE_BLOCKS


def test_post_then_update_changes_the_recorded_message(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0LICENSES", text="3 seats go", blocks=NOTICE_BLOCKS)
    updated = client.chat_update(channel="C0LICENSES", ts=posted["ts"], text="Restored by adam")

    assert updated["ts"] == posted["ts"]
    [message] = fake.messages["C0LICENSES"]
    assert message["text"] == "Restored by adam"
    assert message["blocks"] == NOTICE_BLOCKS
    [call] = fake.calls("chat.postMessage")
    assert call.token == "xoxb-test"
    assert call.params["blocks"] == NOTICE_BLOCKS


def test_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0GENERAL", text="hi")["ts"] for _ in range(3)]
    assert stamps == sorted(set(stamps))


def test_posting_errors_match_slack(client: WebClient) -> None:
    for channel, error in [("C0NOPE", "channel_not_found"), ("C0ARCHIVED", "is_archived")]:
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel=channel, text="hi")
        assert raised.value.response["error"] == error
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel="C0GENERAL", ts="1.000000", text="x")


def test_direct_messages_go_through_conversations_open(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users="UDANA")["channel"]["id"]
    client.chat_postMessage(channel=channel, text="You have a seat")
    assert channel == "DUDANA"
    assert fake.messages["DUDANA"][0]["text"] == "You have a seat"


def test_users_info_for_known_unknown_and_deleted_users(client: WebClient) -> None:
    owner = client.users_info(user="UOWNER")["user"]
    assert (owner["name"], owner["is_owner"], owner["is_admin"]) == ("olivia", True, True)
    assert owner["profile"]["real_name"] == owner["real_name"]
    assert client.users_info(user="UGONE")["user"]["deleted"] is True
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="UNOBODY")


def test_views_open_returns_an_id_that_views_update_accepts(
    fake: FakeSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    review = {**MODAL, "title": {"type": "plain_text", "text": "Review"}}
    updated = client.views_update(view_id=opened["id"], view=review)["view"]

    assert opened["id"] == "V0001"
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert fake.latest_view()["title"]["text"] == "Review"
    assert fake.views["V0001"]["private_metadata"] == MODAL["private_metadata"]
    with pytest.raises(SlackApiError, match="not_found"):
        client.views_update(view_id="V9999", view=review)


def test_unknown_method_and_missing_token(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("files.frobnicate")
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=fake.api_url).auth_test()
