"""Many notices waiting in the outbox, written in bulk, the stand-in Slack that receives them,
and what it received."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, func, insert, select

from licensing import orm
from licensing.notices import AT_ONCE, Lane
from licensing.schemas import NoticeFacts
from slack_standin.server import FakeSlack
from slack_standin.workspace import SlackChannel, SlackUser, Workspace

TOKEN = "xoxb-dispatch"
FACTS = NoticeFacts(
    kind="renewal_coming",
    period_end=datetime(2026, 2, 28, 9, 0, tzinfo=UTC),
    interval="month",
    currency="USD",
    total=Decimal("0"),
).model_dump_json()


def channels(count: int) -> list[str]:
    return [f"C{n:04d}" for n in range(1, count + 1)]


def workspace(places: Sequence[str]) -> Workspace:
    """The first workspace of the stand-in, with a channel for each channel id in `places` and
    a user for each user id."""
    return Workspace(
        channels=[SlackChannel(p, p.lower()) for p in places if p.startswith("C")],
        users=[SlackUser(p, p.lower(), p) for p in places if p.startswith("U")],
    )


def write_notices(
    engine: Engine, places: Sequence[str], per_place: int, lane: Lane = Lane.BULK
) -> list[int]:
    """`per_place` notices to each place (a new account for each), written place after place
    as a sweep writes them; the ids of their deliveries, in the order written."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        accounts = (
            conn.execute(
                insert(orm.Account).returning(orm.Account.id, sort_by_parameter_order=True),
                [{"team_id": f"T{uuid.uuid4().hex[:12]}", "created_at": now} for _ in places],
            )
            .scalars()
            .all()
        )
        notices = conn.execute(
            insert(orm.Notice).returning(
                orm.Notice.id, orm.Notice.account_id, sort_by_parameter_order=True
            ),
            [
                {
                    "account_id": account_id,
                    "key": f"test:{k}",
                    "kind": "renewal_coming",
                    "payload": FACTS,
                    "created_at": now,
                }
                for account_id in accounts
                for k in range(per_place)
            ],
        ).all()
        ids = (
            conn.execute(
                insert(orm.NoticeDelivery).returning(
                    orm.NoticeDelivery.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "notice_id": notice_id,
                        "account_id": account_id,
                        "target": places[n // per_place],
                        "state": "pending",
                        "attempts": 0,
                        "maybe_posted": False,
                        "lane": lane,
                        "next_attempt_at": AT_ONCE,
                    }
                    for n, (notice_id, account_id) in enumerate(notices)
                ],
            )
            .scalars()
            .all()
        )
        return list(ids)


def posted_ids(fake: FakeSlack) -> dict[str, list[int]]:
    """The delivery ids in each conversation's messages, oldest first."""
    return {
        channel: [m["metadata"]["event_payload"]["delivery"] for m in messages if "metadata" in m]
        for channel, messages in fake.messages.items()
    }


def posted_twice(fake: FakeSlack) -> list[int]:
    counts = Counter(i for ids in posted_ids(fake).values() for i in ids)
    return sorted(i for i, n in counts.items() if n > 1)


def states(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(orm.NoticeDelivery.state, func.count()).group_by(orm.NoticeDelivery.state)
        ).all()
    return Counter({state: int(n) for state, n in rows})
