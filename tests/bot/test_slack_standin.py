"""The Slack stand-in against real clients: slack_sdk's WebClient, and a signature-checking server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookClient

from bot.slack_standin import FakeSlack, SlackRequester, Workspace

SECRET = "test-signing-secret"
MODAL = {
    "type": "modal",
    "callback_id": "buy",
    "private_metadata": '{"office": "berlin"}',
    "title": {"type": "plain_text", "text": "Buy seats"},
    "blocks": [],
}
NOTICE_BLOCKS = [
    {
        "type": "actions",
        "block_id": "notice",
        "elements": [
            {
                "type": "button",
                "action_id": "restore",
                "value": "3",
                "text": {"type": "plain_text", "text": "Restore 3 seats"},
            }
        ],
    }
]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


# --- FakeSlack through slack_sdk --------------------------------------------------------------


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


def test_rate_limited_call_is_retried_by_slack_sdk(fake: FakeSlack, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", status=429, retry_after=0)

    assert client.chat_postMessage(channel="C0GENERAL", text="hi")["ok"] is True
    calls = fake.calls("chat.postMessage")
    assert [call.failed for call in calls] == [True, False]
    assert len(fake.messages["C0GENERAL"]) == 1


def test_injected_error_answers_ok_false_then_recovers(client: WebClient, fake: FakeSlack) -> None:
    fake.fail_next("users.info", error="fatal_error")
    with pytest.raises(SlackApiError, match="fatal_error"):
        client.users_info(user="UDANA")
    assert client.users_info(user="UDANA")["ok"] is True


def test_unknown_method_and_missing_token(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("files.frobnicate")
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=fake.api_url).auth_test()


def test_wait_for_blocks_until_calls_arrive(fake: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.1, lambda: client.auth_test())
    timer.start()
    [call] = fake.wait_for("auth.test", timeout=5)
    timer.join()
    assert call.response is not None and call.response["user_id"] == "UBOT"
    with pytest.raises(TimeoutError):
        fake.wait_for("auth.test", count=2, timeout=0.1)


def test_async_client_talks_to_the_fake(fake: FakeSlack) -> None:
    async def scenario() -> tuple[str, str]:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        user = await client.users_info(user="UDANA")
        posted = await client.chat_postMessage(channel="C0GENERAL", text="hi")
        return user["user"]["name"], posted["channel"]

    assert asyncio.run(scenario()) == ("dana", "C0GENERAL")


# --- SlackRequester against a server that checks signatures -----------------------------------


class _VerifyingHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        verifier = SignatureVerifier(SECRET)
        if not verifier.is_valid_request(body, dict(self.headers.items())):
            self._reply(401, {"error": "invalid signature"})
            return
        self._reply(200, _parsed(self.headers["Content-Type"], body))

    def _reply(self, status: int, data: dict[str, Any]) -> None:
        encoded = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _parsed(content_type: str, body: str) -> dict[str, Any]:
    if content_type == "application/json":
        return {"json": json.loads(body)}
    form = dict(parse_qsl(body))
    if "payload" in form:
        return {"payload": json.loads(form["payload"])}
    return {"form": form}


@pytest.fixture
def bot_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VerifyingHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()
    thread.join()


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


def test_workspace_defaults() -> None:
    workspace = Workspace()
    assert workspace.user_by_name("dana").id == "UDANA"
    assert workspace.channel_by_name("#licenses") is not None
    with pytest.raises(KeyError):
        workspace.user_by_name("nobody")
