"""The baseline: a seat change written by hand with the plain driver (sqlite3 or psycopg),
in the same shape as the service's transaction, without the ORM or any of its checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from licensing.db import SQLITE_BUSY_TIMEOUT_MS

Params = Sequence[Any]


class PlainConnection:
    """One connection; `?` placeholders on both databases."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self._conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
                self._conn.execute(f"PRAGMA {pragma}")
            self._conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        else:
            self._conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def one(self, sql: str, params: Params = ()) -> Any:
        return self._cursor(sql, params).fetchone()

    def run(self, sql: str, params: Params = ()) -> None:
        self._cursor(sql, params)

    def lock_account(self, account_id: int) -> None:
        """Start a write transaction holding the account's subscription row."""
        if self.sqlite:
            self._conn.execute("BEGIN IMMEDIATE")
            self.one("SELECT status FROM subscriptions WHERE account_id = ?", (account_id,))
        else:
            self.one(
                "SELECT status FROM subscriptions WHERE account_id = ? FOR UPDATE", (account_id,)
            )

    def commit(self) -> None:
        self._conn.execute("COMMIT") if self.sqlite else self._conn.commit()

    def end_read(self) -> None:
        if not self.sqlite:
            self._conn.rollback()

    def close(self) -> None:
        self._conn.close()

    def now(self) -> Any:
        moment = datetime.now(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def _cursor(self, sql: str, params: Params) -> Any:
        return self._conn.execute(sql if self.sqlite else sql.replace("?", "%s"), params)


@dataclass(frozen=True)
class PoolIds:
    account_id: int
    talk_pool: int
    meetings_pool: int


LEDGER_INSERT = (
    "INSERT INTO ledger (account_id, at, event, actor, office_name, product_id, user_id, seats,"
    " currency, amount_minor, invoice_id, detail) VALUES (?, ?, ?, 'UOWNER', 'Main', ?, ?, 1,"
    " ?, ?, ?, '')"
)


def _read_pool(conn: PlainConnection, pool_id: int) -> tuple[int, int, int]:
    row = conn.one(
        "SELECT purchased, scheduled_for_removal, assigned FROM pools WHERE id = ?", (pool_id,)
    )
    return int(row[0]), int(row[1]), int(row[2])


def purchase(conn: PlainConnection, ids: PoolIds, n: int) -> None:
    conn.lock_account(ids.account_id)
    purchased, _, _ = _read_pool(conn, ids.talk_pool)
    conn.run("UPDATE pools SET purchased = ? WHERE id = ?", (purchased + 1, ids.talk_pool))
    now = conn.now()
    invoice = conn.one(
        "INSERT INTO invoices (account_id, kind, created_at, currency, total_minor, covers_start,"
        " covers_end) VALUES (?, 'purchase', ?, 'USD', 750, ?, ?) RETURNING id",
        (ids.account_id, now, now, now),
    )[0]
    conn.run(
        "INSERT INTO invoice_lines (invoice_id, product_id, office_name, seats, unit_price,"
        " amount_minor) VALUES (?, 'talk', 'Main', 1, '15.00', 750)",
        (invoice,),
    )
    conn.run(
        LEDGER_INSERT, (ids.account_id, now, "seats_purchased", "talk", None, "USD", 750, invoice)
    )
    conn.commit()


def assign(conn: PlainConnection, ids: PoolIds, n: int) -> None:
    user = f"UPLAIN{n:06d}"
    conn.lock_account(ids.account_id)
    held = conn.one(
        "SELECT id FROM assignments WHERE account_id = ? AND user_id = ? AND product_id = 'talk'",
        (ids.account_id, user),
    )
    assert held is None, "the user already holds a seat"
    _, _, assigned = _read_pool(conn, ids.talk_pool)
    conn.run("UPDATE pools SET assigned = ? WHERE id = ?", (assigned + 1, ids.talk_pool))
    now = conn.now()
    conn.run(
        "INSERT INTO assignments (account_id, pool_id, product_id, user_id, assigned_at)"
        " VALUES (?, ?, 'talk', ?, ?)",
        (ids.account_id, ids.talk_pool, user, now),
    )
    conn.run(LEDGER_INSERT, (ids.account_id, now, "seat_assigned", "talk", user, None, 0, None))
    conn.commit()


def revoke(conn: PlainConnection, ids: PoolIds, n: int) -> None:
    user = f"UPLAIN{n:06d}"
    conn.lock_account(ids.account_id)
    assignment_id, pool_id = conn.one(
        "SELECT id, pool_id FROM assignments WHERE account_id = ? AND user_id = ?"
        " AND product_id = 'talk'",
        (ids.account_id, user),
    )
    _, _, assigned = _read_pool(conn, pool_id)
    conn.run("UPDATE pools SET assigned = ? WHERE id = ?", (assigned - 1, pool_id))
    conn.run("DELETE FROM assignments WHERE id = ?", (assignment_id,))
    conn.run(
        LEDGER_INSERT, (ids.account_id, conn.now(), "seat_revoked", "talk", user, None, 0, None)
    )
    conn.commit()


def restore(conn: PlainConnection, ids: PoolIds, n: int) -> None:
    conn.lock_account(ids.account_id)
    _, scheduled, _ = _read_pool(conn, ids.meetings_pool)
    conn.run(
        "UPDATE pools SET scheduled_for_removal = ? WHERE id = ?",
        (scheduled - 1, ids.meetings_pool),
    )
    conn.run(
        LEDGER_INSERT,
        (ids.account_id, conn.now(), "seats_restored", "meetings", None, None, 0, None),
    )
    conn.commit()


def pool_ids(conn: PlainConnection, team_id: str) -> PoolIds:
    account_id = conn.one("SELECT id FROM accounts WHERE team_id = ?", (team_id,))[0]
    pools = {
        product: conn.one(
            "SELECT id FROM pools WHERE account_id = ? AND product_id = ?", (account_id, product)
        )[0]
        for product in ("talk", "meetings")
    }
    conn.end_read()
    return PoolIds(account_id, pools["talk"], pools["meetings"])
