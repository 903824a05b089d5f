"""The sweeps claim one due subscription at a time; each claim must read one row from the
index, however many subscriptions fall due at the same moment. The dispatcher claims many
deliveries at once, in lane and due order: from the index, without sorting the backlog."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, Select, text

from benchmarks.seed import seed_due_accounts
from licensing.repository import _DUE_DELIVERIES, _OLDEST_DUE_PERIOD_END, _OLDEST_DUE_REMINDERS
from tests.scheduler.outbox import channels, write_notices

DUE_TOGETHER = 2_000


def _plan(engine: Engine, statement: Select[Any], params: dict[str, Any]) -> str:
    compiled = statement.compile(dialect=engine.dialect)
    values = compiled.construct_params(params)  # with the LIMIT's own parameter
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            ordered = tuple(values[name] for name in compiled.positiontup or ())
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", ordered).all()
        else:
            conn.execute(text("ANALYZE subscriptions"))
            conn.execute(text("ANALYZE notice_deliveries"))
            rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", values).all()
    return "\n".join(" ".join(str(column) for column in row) for row in rows)


@pytest.mark.parametrize(
    "claim", [_OLDEST_DUE_PERIOD_END, _OLDEST_DUE_REMINDERS], ids=["period ends", "reminders"]
)
def test_a_claim_takes_the_oldest_due_row_from_the_index_without_sorting(
    engine: Engine, claim: Select[Any]
) -> None:
    now = datetime.now(UTC)
    seed_due_accounts(engine, DUE_TOGETHER, now)

    plan = _plan(engine, claim, {"now": now})

    assert "ix_subscriptions_" in plan
    assert "Sort" not in plan  # PostgreSQL
    assert "TEMP B-TREE" not in plan  # SQLite


def test_a_claim_of_deliveries_reads_the_backlog_in_order_from_the_index(engine: Engine) -> None:
    write_notices(engine, channels(DUE_TOGETHER), per_place=3)

    plan = _plan(engine, _DUE_DELIVERIES, {"now": datetime.now(UTC), "limit": 200})

    assert "ix_notice_deliveries_due" in plan
    assert "Sort" not in plan
    assert "TEMP B-TREE" not in plan
