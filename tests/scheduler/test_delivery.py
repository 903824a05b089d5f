"""The dispatcher against a stand-in Slack that answers slowly and limits posts per channel:
many channels at once, each in order and at Slack's pace, a 429 holding back only what it was
for, the prompt lane before a backlog, claims held while in hand, and each notice posted once
through a crash and with two dispatcher processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from commands.views.notices import closed_notice, notice_message
from licensing import orm
from licensing.notices import Lane
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from scheduler.delivery import Dispatcher, TokenFor
from slack_standin.server import FakeSlack, RecordedCall
from slack_standin.tokens import workspace_token
from slack_standin.workspace import SlackChannel, SlackUser, Workspace
from tests.scheduler.outbox import (
    TOKEN,
    channels,
    posted_ids,
    posted_twice,
    states,
    workspace,
    write_notices,
)

REPO = Path(__file__).resolve().parents[2]
WAIT = 120  # seconds: generous, for a busy machine


def dispatcher(
    scheduled: ScheduledWork, fake: FakeSlack, token_for: TokenFor = lambda key: TOKEN, **kw: Any
) -> Dispatcher:
    return Dispatcher(
        scheduled, notice_message, token_for, close=closed_notice, api_url=fake.api_url, **kw
    )


def delivery_of(call: RecordedCall) -> int:
    return int(call.params["metadata"]["event_payload"]["delivery"])


def in_order(written: list[int], places: list[str], per_place: int) -> dict[str, list[int]]:
    """Each place's deliveries as `write_notices` wrote them."""
    return {p: written[n * per_place : (n + 1) * per_place] for n, p in enumerate(places)}


def test_many_channels_are_posted_to_at_once_each_in_the_order_written(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    places = channels(30)
    written = write_notices(engine, places, per_place=3)
    with FakeSlack(workspace(places)) as fake:
        fake.latency = 0.1

        report = dispatcher(scheduled, fake).deliver_due()

        assert fake.peak_concurrency > 1
        assert posted_ids(fake) == in_order(written, places, 3)
    assert report.sent == 90
    assert states(engine) == {"sent": 90}


def test_posts_to_one_channel_keep_to_slacks_pace_and_draw_no_429(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    places = channels(10)
    written = write_notices(engine, places, per_place=5)
    with FakeSlack(workspace(places)) as fake:
        fake.latency = 0.05
        fake.limit_posts(per_second=1, burst=3)  # 5 posts as fast as answered would draw 429s

        dispatcher(scheduled, fake).deliver_due()

        assert fake.rate_limited == 0
        assert posted_ids(fake) == in_order(written, places, 5)


def test_a_429_for_one_channel_holds_back_that_channel_only(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    places = channels(10)
    written = write_notices(engine, places, per_place=2)
    with FakeSlack(workspace(places)) as fake:
        fake.latency = 0.05
        fake.fail_next("chat.postMessage", status=429, retry_after=3, channel="C0003")

        report = dispatcher(scheduled, fake).deliver_due()

        posts = fake.calls("chat.postMessage")
        held = [n for n, c in enumerate(posts) if c.params["channel"] == "C0003" and not c.failed]
        others = [n for n, c in enumerate(posts) if c.params["channel"] != "C0003"]
        assert fake.rate_limited == 1
        assert min(held) > max(others)  # every other channel was done while C0003 waited
        assert posted_ids(fake) == in_order(written, places, 2)
    assert report.sent == 20


def test_a_429_for_one_workspace_token_holds_back_that_workspace_only(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    acme = Workspace(channels=[SlackChannel("C0ACME", "licenses")])
    globex = Workspace(
        team_id="T0002",
        channels=[SlackChannel(c, c.lower()) for c in channels(4)],
        users=[SlackUser("UGLOBEX", "gus", "Gus")],
    )
    globex_places = ["UGLOBEX", *channels(4)]  # a DM first: conversations.open, per token
    globex_written = write_notices(engine, globex_places, per_place=2)
    acme_written = write_notices(engine, ["C0ACME"], per_place=2)
    acme_teams = teams_of(engine, acme_written)
    globex_token = workspace_token("T0002")
    with FakeSlack(acme, others=[globex]) as fake:
        fake.fail_next("conversations.open", status=429, retry_after=3)

        def token_for(key: AccountKey) -> str:
            return TOKEN if key.team_id in acme_teams else globex_token

        # one at a time, in the order written: Globex's DM is tried first
        dispatcher(scheduled, fake, token_for, concurrency=1).deliver_due()

        posts = [(c.token, c.failed) for c in fake.calls() if c.method == "chat.postMessage"]
        assert posts == [(TOKEN, False)] * 2 + [(globex_token, False)] * 10
        posted = posted_ids(fake)
        assert posted.pop("C0ACME") == acme_written
        assert posted == in_order(globex_written, ["DUGLOBEX", *channels(4)], 2)


def teams_of(engine: Engine, delivery_ids: list[int]) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.scalars(
                select(orm.Account.team_id)
                .join(orm.NoticeDelivery, orm.NoticeDelivery.account_id == orm.Account.id)
                .where(orm.NoticeDelivery.id.in_(delivery_ids))
            )
        )


def test_a_log_line_written_during_a_backlog_goes_before_the_rest_of_it(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    places = channels(100)
    backlog = write_notices(engine, places, per_place=3)
    with FakeSlack(workspace(places)) as fake:
        fake.latency = 0.1
        sending = dispatcher(scheduled, fake, concurrency=4)
        drain = threading.Thread(target=sending.deliver_due)
        drain.start()
        fake.wait_for("chat.postMessage", count=20, timeout=WAIT)

        [log_line] = write_notices(engine, ["C0100"], per_place=1, lane=Lane.PROMPT)
        sending.wake()
        drain.join(WAIT)

        order = [delivery_of(c) for c in fake.calls("chat.postMessage")]
        assert order.index(log_line) < len(backlog) - 100  # while 100 and more still waited
        # the backlog's notices to the log line's channel, written before it, go first
        assert posted_ids(fake)["C0100"] == [*backlog[-3:], log_line]
    assert states(engine) == {"sent": len(backlog) + 1}


def test_deliveries_in_hand_longer_than_the_lease_are_not_claimed_by_another_dispatcher(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    [place] = channels(1)
    written = write_notices(engine, [place], per_place=5)
    with FakeSlack(workspace([place])) as fake:
        fake.latency = 1.0  # one post after another: 5 s in all
        sending = dispatcher(scheduled, fake, lease=timedelta(seconds=2))
        drain = threading.Thread(target=sending.deliver_due)
        drain.start()
        fake.wait_for("chat.postMessage", count=4, timeout=WAIT)  # 3 s in: the lease is past

        taken = scheduled.claim_deliveries(datetime.now(UTC), 10, timedelta(seconds=2))

        drain.join(WAIT)
        assert taken == []
        assert posted_ids(fake) == {place: written}


@contextmanager
def dispatching(
    database_url: str, fake: FakeSlack, lease: float, token: str = TOKEN
) -> Iterator[subprocess.Popen[str]]:
    """`tests.scheduler.dispatching` in a process of its own, posting with `token`; killed
    on the way out."""
    command = ["tests.scheduler.dispatching", database_url, fake.api_url, str(lease), token]
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        text=True,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)


def test_a_dispatcher_killed_in_the_middle_of_a_batch_leaves_each_notice_posted_once(
    database_url: str, engine: Engine
) -> None:
    places = channels(40)
    written = write_notices(engine, places, per_place=4)
    with FakeSlack(workspace(places)) as fake:
        fake.latency = 0.3  # posts land, and the dispatcher dies before hearing of many
        with dispatching(database_url, fake, lease=2) as first:
            fake.wait_for("chat.postMessage", count=40, timeout=WAIT)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        in_doubt = states(engine)["pending"]

        with dispatching(database_url, fake, lease=2) as second:
            assert second.wait(timeout=300) == 0

        assert in_doubt > 0
        assert fake.calls("conversations.history")  # what the first left in doubt was looked for
        assert posted_twice(fake) == []
        assert posted_ids(fake) == in_order(written, places, 4)
    assert states(engine) == {"sent": len(written)}


def test_two_dispatcher_processes_share_2000_notices_on_postgresql_and_post_none_twice(
    database_url: str, engine: Engine
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time; several dispatchers are for PostgreSQL")
    places = channels(400)
    written = write_notices(engine, places, per_place=5)
    with FakeSlack(workspace(places)) as fake:
        fake.latency = 0.1
        fake.limit_posts(per_second=1, burst=3)
        with (
            dispatching(database_url, fake, lease=30, token="xoxb-first") as first,
            dispatching(database_url, fake, lease=30, token="xoxb-second") as second,
        ):
            assert [first.wait(timeout=600), second.wait(timeout=600)] == [0, 0]

        posters = {c.token for c in fake.calls("chat.postMessage")}
        assert posters == {"xoxb-first", "xoxb-second"}  # they shared the work
        assert posted_twice(fake) == []
        assert posted_ids(fake) == in_order(written, places, 5)
    assert states(engine) == {"sent": 2000}
