"""A running FakeSlack, slack_sdk's client pointed at it, and what the tests post."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_standin.server import FakeSlack

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
