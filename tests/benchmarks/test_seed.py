"""Seeded accounts look to the service as if it had written them itself."""

from __future__ import annotations

from sqlalchemy import Engine

from benchmarks.seed import USERS_PER_POOL, seed_due_accounts
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from tests.conftest import FakeClock

OWNER = Actor(user_id="UOWNER", workspace_admin=True)


def test_seeded_accounts_are_due_and_each_closes_once(
    engine: Engine, service: LicensingService, scheduled: ScheduledWork, clock: FakeClock
) -> None:
    seed_due_accounts(engine, 3, clock.now())
    closed = [scheduled.close_next_due_period() for _ in range(4)]
    assert [c.outcome for c in closed if c] == ["renewed"] * 3 and closed[3] is None
    assert closed[0] is not None and closed[0].invoice is not None
    # the seats scheduled for removal leave; each pool renews the seats its users hold
    assert [line.seats for line in closed[0].invoice.lines] == [USERS_PER_POOL] * 3


def test_rows_written_after_seeding_take_new_ids(
    engine: Engine, service: LicensingService, clock: FakeClock
) -> None:
    seed_due_accounts(engine, 2, clock.now())
    service.install(AccountKey(team_id="TNEW"), OWNER.user_id)
    assert service.status(AccountKey(team_id="TNEW"), OWNER).subscription.status == "trialing"
