"""FakeSlack over HTTP: faults slack_sdk recovers from, waiting for calls, the async client."""

from __future__ import annotations

import asyncio
import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from slack_standin.server import FakeSlack


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


def test_calls_answer_after_the_latency_and_the_fake_counts_those_answered_at_once(
    fake: FakeSlack,
) -> None:
    fake.latency = 0.2

    async def five_at_once() -> None:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        await asyncio.gather(*(client.auth_test() for _ in range(5)))

    asyncio.run(five_at_once())

    assert fake.peak_concurrency > 1
    assert fake.count("auth.test") == 5


def test_posts_beyond_a_channels_rate_are_refused_with_retry_after(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.limit_posts(per_second=1, burst=2)
    client.chat_postMessage(channel="C0GENERAL", text="1")
    client.chat_postMessage(channel="C0GENERAL", text="2")

    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GENERAL", text="3")

    assert refused.value.response.status_code == 429
    assert int(refused.value.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel="C0LICENSES", text="elsewhere")["ok"] is True
    assert fake.rate_limited == 1
    assert [m["text"] for m in fake.messages["C0GENERAL"]] == ["1", "2"]


def test_a_fault_for_one_channel_leaves_the_others_alone(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=3, channel="C0LICENSES")

    assert client.chat_postMessage(channel="C0GENERAL", text="here")["ok"] is True
    with pytest.raises(SlackApiError, match="ratelimited"):
        client.chat_postMessage(channel="C0LICENSES", text="there")
    assert client.chat_postMessage(channel="C0LICENSES", text="there")["ok"] is True
    assert fake.rate_limited == 1
