"""A period end's worth of notices waiting in the outbox: accounts each in a workspace of its
own, installed with OAuth (a bot token each, in the installation store), one to three notices
each, to the account's notice channel or, for every fourth, by DM to its admin. And the
stand-in Slack holding those workspaces."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, insert

from benchmarks.seed import Row, bump_sequences, insert_rows
from bot.installation import BOTS_TABLE
from bot.installation import metadata as install_metadata
from licensing import orm
from licensing.notices import AT_ONCE, Lane, NoticeKind
from licensing.schemas import NoticeFacts
from slack_standin.tokens import workspace_token
from slack_standin.workspace import SlackChannel, SlackUser, Workspace

CLIENT_ID = "bench.client"
DM_ONLY_EVERY = 4  # every fourth account has no notice channel: its notices go by DM
BATCH = 2_000
PERIOD_END = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
KINDS = (NoticeKind.PERIOD_ENDED, NoticeKind.REMOVAL_SCHEDULED, NoticeKind.RENEWAL_COMING)


@dataclass(frozen=True)
class Outbox:
    accounts: int

    def team(self, n: int) -> str:
        return f"T{n:08d}"

    def admin(self, n: int) -> str:
        return f"U{n:08d}"

    def channel(self, n: int) -> str | None:
        return None if n % DM_ONLY_EVERY == 0 else f"C{n:08d}"

    def notices_of(self, n: int) -> int:
        return 1 + n % 3

    @property
    def deliveries(self) -> int:
        return sum(self.notices_of(n) for n in range(1, self.accounts + 1))

    def workspaces(self) -> Iterator[Workspace]:
        for n in range(1, self.accounts + 1):
            channel = self.channel(n)
            yield Workspace(
                team_id=self.team(n),
                team_name=f"Company {n}",
                domain=f"company{n}",
                bot_user_id=f"B{n:08d}",
                users=[SlackUser(self.admin(n), f"admin{n}", f"Admin {n}", is_admin=True)],
                channels=[SlackChannel(channel, "licenses")] if channel else [],
            )

    def seed(self, engine: Engine) -> None:
        """Accounts 1..accounts (in an empty database), their notices and deliveries (ids from
        1, written account after account as a sweep writes them) and their bot tokens."""
        for first in range(1, self.accounts + 1, BATCH):
            last = min(first + BATCH - 1, self.accounts)
            with engine.begin() as conn:
                for model, rows in self._rows(first, last):
                    insert_rows(conn, model, rows)
                bots = install_metadata.tables[BOTS_TABLE]
                conn.execute(insert(bots), [self._bot(n) for n in range(first, last + 1)])
        with engine.begin() as conn:
            bump_sequences(conn)
            if conn.dialect.name == "postgresql":
                for table in ("notices", "notice_deliveries"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}) + 1, false)"
                    )

    def _rows(self, first: int, last: int) -> list[tuple[type[orm.Base], list[Row]]]:
        now = datetime.now(UTC)
        accounts, notices, deliveries = [], [], []
        notice_id = sum(self.notices_of(n) for n in range(1, first))
        for n in range(first, last + 1):
            channel = self.channel(n)
            accounts.append(
                {
                    "id": n,
                    "team_id": self.team(n),
                    "enterprise_id": "",
                    "time_zone": "UTC",
                    "notice_channel": channel,
                    "created_at": now,
                }
            )
            for kind in KINDS[: self.notices_of(n)]:
                notice_id += 1
                notices.append(
                    {
                        "id": notice_id,
                        "account_id": n,
                        "key": f"{kind}:{PERIOD_END.isoformat()}",
                        "kind": kind.value,
                        "payload": _FACTS[kind],
                        "created_at": now,
                    }
                )
                deliveries.append(
                    {
                        "id": notice_id,
                        "notice_id": notice_id,
                        "account_id": n,
                        "target": channel or self.admin(n),
                        "state": "pending",
                        "attempts": 0,
                        "maybe_posted": False,
                        "lane": int(Lane.BULK),
                        "next_attempt_at": AT_ONCE,
                    }
                )
        return [(orm.Account, accounts), (orm.Notice, notices), (orm.NoticeDelivery, deliveries)]

    def _bot(self, n: int) -> Row:
        return {
            "client_id": CLIENT_ID,
            "app_id": "A0001",
            "enterprise_id": None,
            "team_id": self.team(n),
            "bot_token": workspace_token(self.team(n)),
            "bot_id": f"B{n:08d}",
            "bot_user_id": f"B{n:08d}",
            "bot_scopes": "chat:write,channels:history,im:history,im:write",
            "is_enterprise_install": False,
            "installed_at": datetime.now(UTC),
        }


def _facts() -> dict[NoticeKind, str]:
    common: dict[str, object] = {"period_end": PERIOD_END, "interval": "month", "currency": "USD"}
    closed = {
        "team_id": "T",
        "enterprise_id": "",
        "period_end": PERIOD_END,
        "outcome": "renewed",
        "removed": [{"office": "Main", "product_id": "talk", "seats": 2}],
        "invoice": None,
    }
    removal = {
        "office": "Main",
        "product_id": "talk",
        "product_name": "Talk",
        "seats": 2,
        "purchased": 22,
    }
    facts: dict[NoticeKind, dict[str, object]] = {
        NoticeKind.PERIOD_ENDED: {"closed": closed},
        NoticeKind.REMOVAL_SCHEDULED: {"removals": [removal]},
        NoticeKind.RENEWAL_COMING: {"total": Decimal("300.00")},
    }
    return {
        kind: NoticeFacts.model_validate({"kind": kind, **common, **fields}).model_dump_json()
        for kind, fields in facts.items()
    }


_FACTS = _facts()
