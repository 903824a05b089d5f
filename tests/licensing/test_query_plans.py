"""The sweeps claim one due subscription at a time; each claim must read one row from the
index, however many subscriptions fall due at the same moment. The dispatcher claims many
deliveries at once, in lane and due order: from the index, without sorting the backlog."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, Select, text
from sqlalchemy.orm import Session

from benchmarks.seed import seed_due_accounts
from licensing.notice_store import _DUE_DELIVERIES
from licensing.repository import (
    _OLDEST_DUE_PERIOD_END,
    _OLDEST_DUE_REMINDERS,
    Repository,
)
from tests.scheduler.outbox import channels, write_notices

DUE_TOGETHER = 2_000
BACKLOG_PLACES = 7_000  # 21,000 deliveries: enough for a planner without statistics to sort


def _plan(
    engine: Engine, statement: Select[Any], params: dict[str, Any], *, analyzed: bool = True
) -> str:
    """The plan, with fresh statistics; or, not `analyzed`, in a claim's transaction over
    tables the planner knows nothing of yet."""
    compiled = statement.compile(dialect=engine.dialect)
    values = compiled.construct_params(params)  # with the LIMIT's own parameter
    with Session(engine) as session:
        conn = session.connection()
        if engine.dialect.name == "sqlite":
            ordered = tuple(values[name] for name in compiled.positiontup or ())
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", ordered).all()
        else:
            if analyzed:
                conn.execute(text("ANALYZE subscriptions"))
                conn.execute(text("ANALYZE notice_deliveries"))
            else:
                Repository(session).begin_claim()
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


@pytest.mark.parametrize("analyzed", [True, False], ids=["analyzed", "just written"])
def test_a_claim_of_deliveries_reads_the_backlog_in_order_from_the_index(
    engine: Engine, analyzed: bool
) -> None:
    write_notices(engine, channels(BACKLOG_PLACES), per_place=3)

    params = {"now": datetime.now(UTC), "limit": 200}
    plan = _plan(engine, _DUE_DELIVERIES, params, analyzed=analyzed)

    assert "ix_notice_deliveries_due" in plan
    assert "Sort" not in plan
    assert "Bitmap" not in plan  # which would read every row version the drain left behind
    assert "TEMP B-TREE" not in plan
