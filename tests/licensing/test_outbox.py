"""The outbox's claims and records, for a dispatcher that takes many deliveries at once: the
prompt lane first, each place in the order written, claims held while in hand, and outcomes
recorded together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.notices import Lane
from licensing.outbox import Outcomes
from licensing.scheduled import ScheduledWork
from tests.scheduler.outbox import channels, states, write_notices

NOW = datetime(2026, 11, 1, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def claim(scheduled: ScheduledWork, limit: int = 100, now: datetime = NOW) -> list[int]:
    return [d.id for d in scheduled.claim_deliveries(now, limit, LEASE)]


def test_a_claim_takes_the_prompt_lane_first_with_what_its_places_were_waiting_for(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    backlog = write_notices(engine, channels(5), per_place=2)
    [log_line] = write_notices(engine, ["C0005"], per_place=1, lane=Lane.PROMPT)

    first = scheduled.claim_deliveries(NOW, 1, LEASE)

    # C0005's earlier notices come with the log line, so the channel keeps its order
    assert [d.id for d in first] == [*backlog[-2:], log_line]
    assert [d.lane for d in first] == [Lane.BULK, Lane.BULK, Lane.PROMPT]
    assert claim(scheduled) == backlog[:-2]


def test_a_place_waits_while_an_earlier_delivery_to_it_is_in_hand(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    first, second = write_notices(engine, ["C0001"], per_place=2)
    [other] = write_notices(engine, ["C0002"], per_place=1)
    assert claim(scheduled, limit=1) == [first]

    assert claim(scheduled) == [other]  # C0001's second waits for its first

    scheduled.record_deliveries(Outcomes(sent=[(first, "C0001", "1.0")]))
    assert claim(scheduled) == [second]


def test_a_place_waits_while_an_earlier_delivery_to_it_waits_for_a_retry(
    engine: Engine, scheduled: ScheduledWork
) -> None:
    written = write_notices(engine, ["C0001"], per_place=3)
    claimed = scheduled.claim_deliveries(NOW, 100, LEASE)
    retry_at = NOW + timedelta(minutes=5)

    scheduled.record_deliveries(
        Outcomes(retried=[(claimed[0], retry_at, "HTTP 500", True)], given_back=claimed[1:])
    )

    assert claim(scheduled, now=NOW + timedelta(minutes=4)) == []
    again = scheduled.claim_deliveries(retry_at, 100, LEASE)
    assert [d.id for d in again] == written
    assert [(d.attempts, d.maybe_posted, d.lane) for d in again] == [
        (2, True, Lane.PROMPT),  # a retry goes before the bulk
        (1, False, Lane.BULK),  # given back as if never claimed
        (1, False, Lane.BULK),
    ]


def test_a_claim_in_hand_is_held_past_its_lease(engine: Engine, scheduled: ScheduledWork) -> None:
    written = write_notices(engine, channels(3), per_place=1)
    assert claim(scheduled) == written

    scheduled.hold_deliveries(written[:2], NOW + timedelta(minutes=10))

    assert claim(scheduled, now=NOW + timedelta(minutes=5)) == written[2:]


def test_many_outcomes_are_recorded_at_once(engine: Engine, scheduled: ScheduledWork) -> None:
    write_notices(engine, channels(4), per_place=1)
    sent, retried, given_back, untouched = scheduled.claim_deliveries(NOW, 100, LEASE)

    scheduled.record_deliveries(
        Outcomes(
            sent=[(sent.id, "C0001", "1.1")],
            retried=[(retried, NOW + timedelta(seconds=5), "ratelimited", False)],
            given_back=[given_back],
        )
    )

    assert states(engine) == {"sent": 1, "pending": 3}
    with Session(engine) as session:
        rows = {r.id: r for r in session.scalars(select(orm.NoticeDelivery))}
    assert (rows[sent.id].channel, rows[sent.id].ts, rows[sent.id].maybe_posted) == (
        "C0001",
        "1.1",
        False,
    )
    assert (rows[retried.id].error, rows[retried.id].lane) == ("ratelimited", Lane.PROMPT)
    assert (rows[given_back.id].attempts, rows[given_back.id].first_attempt_at) == (0, None)
    assert rows[untouched.id].next_attempt_at == NOW + LEASE
