"""Notices: a period end's outbox (each account in a workspace of its own, with its own token
and notice channel, or DMs) delivered by the dispatcher in a process of its own, through the
stand-in Slack answering after a set latency and limiting posts per channel as Slack does.
Halfway through, a change made in Slack writes a log line; how long it waits is measured."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from benchmarks.databases import Databases, connected
from benchmarks.notice_seed import CLIENT_ID, Outbox
from benchmarks.operations import OWNER, make_service
from benchmarks.results import Case, Check, Sample, SuiteResult
from benchmarks.sizes import Sizes
from benchmarks.workers import Worker
from bot.installation import BOTS_TABLE
from bot.installation import metadata as install_metadata
from licensing import orm
from licensing.requests import Purchase, SetNoticeChannel
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from slack_standin.server import FakeSlack
from slack_standin.tokens import workspace_token
from slack_standin.workspace import SlackChannel, SlackUser, Workspace

SUITE = "notices"
LOG_TEAM, LOG_CHANNEL, LOG_ADMIN = "TLOGLINE", "CLOGLINE", "ULOGLINE"
TARGET_LATENCY_MS = 100
RATE_TARGET = 170  # messages a second at 100 ms
CPU_TARGET_MS = 2.0  # per message
LOG_LINE_TARGET_S = 5.0
POSTS_PER_SECOND, BURST = 1.0, 3.0  # the stand-in's limit per channel, as Slack's
WAIT_SECONDS = 3_600


@dataclass(frozen=True)
class Drained:
    deliveries: int
    seconds: float
    cpu_seconds: float
    sent: int
    peak: int
    limited: int
    log_line_seconds: float


class LogLine(threading.Thread):
    """Once half the outbox is posted, a purchase made in Slack writes its log line; then
    the time until the log line is posted."""

    def __init__(self, fake: FakeSlack, service: LicensingService, halfway: int) -> None:
        super().__init__(name="log-line", daemon=True)
        self.fake, self.service, self.halfway = fake, service, halfway
        self.seconds: float | None = None

    def run(self) -> None:
        while self.fake.count("chat.postMessage") < self.halfway:
            time.sleep(0.01)
        key = AccountKey(team_id=LOG_TEAM)
        self.service.handle(key, OWNER, Purchase(count=1, product="talk"), "bench-log-line")
        written = time.monotonic()
        while not self.fake.messages.get(LOG_CHANNEL):
            time.sleep(0.005)
        self.seconds = time.monotonic() - written


def log_line_account(service: LicensingService, engine: Engine) -> Workspace:
    """An account on its trial with a notice channel, installed like the others."""
    key = AccountKey(team_id=LOG_TEAM)
    service.install(key, OWNER.user_id)
    service.handle(key, OWNER, SetNoticeChannel(channel_id=LOG_CHANNEL))
    with engine.begin() as conn:
        conn.execute(
            install_metadata.tables[BOTS_TABLE].insert(),
            {
                "client_id": CLIENT_ID,
                "app_id": "A0001",
                "team_id": LOG_TEAM,
                "bot_token": workspace_token(LOG_TEAM),
                "is_enterprise_install": False,
            },
        )
    return Workspace(
        team_id=LOG_TEAM,
        users=[SlackUser(OWNER.user_id, "owner", "Owner", is_owner=True, is_admin=True)],
        channels=[SlackChannel(LOG_CHANNEL, "licenses")],
    )


def posted_once(engine: Engine, fake: FakeSlack, expected: int) -> None:
    """Every delivery sent, each posted once."""
    with engine.connect() as conn:
        pending = conn.scalar(select(func.count()).where(orm.NoticeDelivery.state != "sent"))
    ids = [
        m["metadata"]["event_payload"]["delivery"]
        for messages in fake.messages.values()
        for m in messages
        if "metadata" in m
    ]
    if pending or len(ids) != expected or len(set(ids)) != expected:
        raise RuntimeError(
            f"{expected} deliveries: {pending} not sent, {len(ids)} posted, "
            f"{len(ids) - len(set(ids))} of them twice"
        )


def drain(databases: Databases, kind: str, sizes: Sizes, latency_ms: int) -> Drained:
    outbox = Outbox(sizes.notice_accounts)
    url = databases.fresh(kind)
    worker = Worker("benchmarks.delivery_worker", databases.work)
    worker.read()  # loaded
    try:
        with connected(url) as engine:
            outbox.seed(engine)
            service = make_service(engine)
            first = log_line_account(service, engine)
            with FakeSlack(first, others=outbox.workspaces()) as fake:
                fake.latency = latency_ms / 1000
                fake.limit_posts(POSTS_PER_SECOND, BURST)
                settings = {
                    "database_url": url,
                    "api_url": fake.api_url,
                    "concurrency": sizes.notice_concurrency,
                    "expected": outbox.deliveries + 1,  # and the log line
                }
                worker.tell(json.dumps(settings))
                worker.read()  # ready
                log_line = LogLine(fake, service, outbox.deliveries // 2)
                log_line.start()
                worker.tell("go")
                done = worker.read()
                log_line.join(WAIT_SECONDS)
                posted_once(engine, fake, outbox.deliveries + 1)
                return Drained(
                    deliveries=outbox.deliveries,
                    seconds=done["finished"] - done["started"],
                    cpu_seconds=done["cpu_seconds"],
                    sent=done["sent"],
                    peak=fake.peak_concurrency,
                    limited=fake.rate_limited,
                    log_line_seconds=log_line.seconds if log_line.seconds is not None else -1.0,
                )
    finally:
        worker.stop()
        databases.drop(url)


def _case(kind: str, latency_ms: int, runs: list[Drained]) -> Case:
    return Case(
        SUITE,
        {"database": kind, "latency ms": str(latency_ms), "notices": f"{runs[0].deliveries:,}"},
        {
            "messages/s": Sample.of(r.sent / r.seconds for r in runs),
            "seconds to drain": Sample.of(r.seconds for r in runs),
            "peak concurrency": Sample.of(r.peak for r in runs),
            "CPU ms/message": Sample.of(r.cpu_seconds * 1000 / r.sent for r in runs),
            "429s": Sample.of(r.limited for r in runs),
            "log line s": Sample.of(r.log_line_seconds for r in runs),
        },
    )


def _checks(case: Case, deliveries: int) -> list[Check]:
    where = f"{case.labels['database']}, {case.labels['latency ms']} ms, {deliveries:,} notices"
    metric = case.metrics
    checks = [Check(f"429s drawn ({where}) = 0", metric["429s"].median, 0, False)]
    if case.labels["latency ms"] == str(TARGET_LATENCY_MS):
        checks += [
            Check(
                f"messages/s ({where}) ≥ {RATE_TARGET}",
                metric["messages/s"].median,
                RATE_TARGET,
                True,
            ),
            Check(
                f"CPU ms per message ({where}) ≤ {CPU_TARGET_MS:g}",
                metric["CPU ms/message"].median,
                CPU_TARGET_MS,
                False,
            ),
        ]
    checks.append(
        Check(
            f"seconds until a log line written halfway is posted ({where}) ≤ {LOG_LINE_TARGET_S:g}",
            metric["log line s"].median,
            LOG_LINE_TARGET_S,
            False,
        )
    )
    return checks


def run(databases: Databases, sizes: Sizes) -> SuiteResult:
    result = SuiteResult()
    for kind, latency_ms in sizes.notice_runs:
        if kind not in databases.kinds:
            result.skipped.append(f"notices on {kind}: not installed")
            continue
        runs = [drain(databases, kind, sizes, latency_ms) for _ in range(sizes.notice_repeats)]
        case = _case(kind, latency_ms, runs)
        result.cases.append(case)
        result.checks += _checks(case, runs[0].deliveries)
    return result
