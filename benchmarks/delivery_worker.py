"""One dispatcher process of the notice benchmark, built as `licensebot scheduler` builds it
with OAuth (each account's token from the installation store). It says it has loaded, reads
its settings as one JSON line (`database_url`, `api_url`, `concurrency`, `expected`), says it
is ready, waits for another line, delivers what is due until it has sent `expected` messages,
and prints when it started and finished, the CPU time it used meanwhile (every thread) and
what it sent. It speaks in JSON lines.

    python -m benchmarks.delivery_worker
"""

from __future__ import annotations

import json
import resource
import sys
import time

from benchmarks.notice_seed import CLIENT_ID
from bot.bootstrap import build
from bot.settings import Settings


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    print(json.dumps({"loaded": True}), flush=True)
    given = json.loads(sys.stdin.readline())
    settings = Settings(
        database_url=given["database_url"],
        slack_client_id=CLIENT_ID,
        slack_client_secret="bench-secret",
        slack_api_url=given["api_url"],
        delivery_concurrency=given["concurrency"],
    )
    dispatcher = build(settings, migrate_sqlite=False).sweeper.dispatcher
    assert dispatcher is not None, "OAuth settings give a dispatcher"
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    started, cpu = time.time(), _cpu_seconds()
    done = {"sent": 0, "retried": 0, "failed": 0}
    while done["sent"] < given["expected"]:
        report = dispatcher.deliver_due()
        done = {name: done[name] + getattr(report, name) for name in done}
        if not report.sent:
            time.sleep(0.01)  # something written later, not yet due
    finished = {"started": started, "finished": time.time(), "cpu_seconds": _cpu_seconds() - cpu}
    print(json.dumps({**finished, **done}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
