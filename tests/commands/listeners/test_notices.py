"""The buttons on notices: each click is authorised again by the service, acts once per notice
and block, and the notice is then marked with what was done."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock

import pytest

from commands import ids
from commands.carried import DamagedPayload, NoticeRef, RestoreButton, SubscribeEntry, read
from commands.listeners.notices import NoticeButtons
from licensing.errors import LicensingError, NotAllowed, SeatsAlreadyGone
from licensing.requests import Reactivate, Restore, Subscribe
from tests.commands.listeners.fakes import MEMBER, Harness
from tests.commands.listeners.payloads import (
    NOTICE_CHANNEL,
    NOTICE_TS,
    TRIGGER,
    button_in,
    click,
    posted_notice,
)
from tests.commands.views.samples import CHANGE, T1

STAMP = "Jan 31, 2026 09:00 UTC"  # the fake service's clock, in the result's time zone


def press(harness: Harness, button: str, body: dict[str, Any]) -> None:
    ack = AsyncMock()
    listener = getattr(NoticeButtons(harness.deps), button)
    harness.run(listener(ack, body, harness.context, harness.client.web))
    ack.assert_awaited_once_with()


def clicked(kind: str, action_id: str, user: str = "U1") -> tuple[dict[str, Any], str, str]:
    """A click on `action_id` in a notice of `kind`: the body, the block id and the value."""
    notice = posted_notice(kind)
    block_id, value = button_in(notice, action_id)
    return click(action_id, value, block_id, message=notice, user=user), block_id, value


def marked(harness: Harness, block_id: str) -> str:
    """What the one update of the notice says in place of the buttons of `block_id`."""
    [update] = harness.client.made("chat_update")
    assert (update["channel"], update["ts"]) == (NOTICE_CHANNEL, NOTICE_TS)
    [block] = [b for b in update["blocks"] if b.get("block_id") == block_id]
    assert block["type"] == "context"
    return str(block["elements"][0]["text"])


def test_restore_hands_the_buttons_restore_under_the_notice_key(harness: Harness) -> None:
    body, block_id, value = clicked("removal_scheduled", ids.NOTICE_RESTORE)

    press(harness, "restore", body)

    [call] = harness.service.calls
    assert call.method == "handle"
    assert call.request == read(RestoreButton, value).restore
    assert call.request == Restore(count=2, product="talk", office="Main", period_end=T1)
    assert call.idempotency_key == f"notice:7:{block_id}" == "notice:7:restore_0"
    assert call.shown is None
    harness.delivered.assert_called_once_with()


def test_a_restore_marks_the_notice_with_who_did_what_and_when(harness: Harness) -> None:
    body, block_id, _ = clicked("removal_scheduled", ids.NOTICE_RESTORE)

    press(harness, "restore", body)

    assert marked(harness, block_id) == (
        f":white_check_mark: <@U1> restored 1 Talk seat in Main · {STAMP}"
    )
    [update] = harness.client.made("chat_update")
    assert update["text"] == body["message"]["text"]
    assert harness.client.made("chat_postEphemeral") == []


def test_a_partial_restore_keeps_a_button_for_the_seats_still_leaving(harness: Harness) -> None:
    harness.service.answer(Restore, CHANGE)  # one of the pool's seats is still leaving
    body, block_id, _ = clicked("removal_scheduled", ids.NOTICE_RESTORE)

    press(harness, "restore", body)

    [update] = harness.client.made("chat_update")
    [kept] = [b for b in update["blocks"] if b.get("block_id") == block_id]
    assert kept["type"] == "actions"
    labels = [e["text"]["text"] for e in kept["elements"]]
    assert labels == ["Restore 1 seat", "Choose how many…"]
    restore = read(RestoreButton, kept["elements"][0]["value"]).restore
    assert restore.count == 1 and restore.period_end is not None


@pytest.mark.parametrize(
    "refusal",
    [NotAllowed("restore seats", "company admins and admins of Main"), SeatsAlreadyGone("Feb 28")],
    ids=["member", "too-late"],
)
def test_a_refused_restore_is_told_ephemerally_and_leaves_the_notice(
    harness: Harness, refusal: LicensingError
) -> None:
    harness.service.refuse(Restore, refusal)
    harness.as_user(MEMBER)
    body, _, _ = clicked("removal_scheduled", ids.NOTICE_RESTORE, user=MEMBER)

    press(harness, "restore", body)

    assert harness.client.made("chat_postEphemeral") == [
        {"channel": NOTICE_CHANNEL, "user": MEMBER, "text": refusal.message}
    ]
    assert harness.client.made("chat_update") == []
    harness.delivered.assert_not_called()


def test_reactivate_hands_reactivate_under_the_notice_key_and_marks_the_notice(
    harness: Harness,
) -> None:
    body, block_id, _ = clicked("cancellation_coming", ids.NOTICE_REACTIVATE)

    press(harness, "reactivate", body)

    [call] = harness.service.handled()
    assert call.request == Reactivate()
    assert call.idempotency_key == "notice:7:reactivate"
    assert marked(harness, block_id) == (
        f":white_check_mark: <@U1> reactivated the subscription · {STAMP}"
    )


@pytest.mark.parametrize("value", ['{"notice":"seven"}', '{"notice":7,"restore":{}}', "x", None])
def test_a_damaged_button_is_told_ephemerally_and_changes_nothing(
    harness: Harness, value: str | None
) -> None:
    notice = posted_notice("removal_scheduled")

    press(harness, "restore", click(ids.NOTICE_RESTORE, value, "restore_0", message=notice))

    [told] = harness.client.made("chat_postEphemeral")
    assert told["text"] == DamagedPayload.message
    assert harness.service.calls == []
    assert harness.client.made("chat_update") == []


def test_subscribe_by_a_non_admin_is_told_ephemerally_and_opens_nothing(
    harness: Harness,
) -> None:
    harness.service.refuse(Subscribe, NotAllowed("subscribe", "company admins"), on="start")
    harness.as_user(MEMBER)
    body, _, _ = clicked("trial_ending", ids.NOTICE_SUBSCRIBE, user=MEMBER)

    press(harness, "subscribe", body)

    assert harness.client.made("chat_postEphemeral") == [
        {
            "channel": NOTICE_CHANNEL,
            "user": MEMBER,
            "text": NotAllowed("subscribe", "company admins").message,
        }
    ]
    assert harness.client.made("views_open") == []


def test_subscribe_by_an_admin_opens_the_form_tied_to_the_notice(harness: Harness) -> None:
    body, block_id, _ = clicked("trial_ending", ids.NOTICE_SUBSCRIBE)

    press(harness, "subscribe", body)

    [opened] = harness.client.made("views_open")
    assert opened["trigger_id"] == TRIGGER
    entry = read(SubscribeEntry, harness.client.opened()["private_metadata"])
    assert entry.notice == NoticeRef(channel=NOTICE_CHANNEL, ts=NOTICE_TS, block=block_id)
    assert harness.service.calls == []  # the form asks; nothing is quoted yet
