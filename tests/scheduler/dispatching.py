"""The notice dispatcher in a process of its own, for the tests that kill one or run two. It
delivers until no delivery is pending, then exits.

    python -m tests.scheduler.dispatching DATABASE_URL SLACK_API_URL LEASE_SECONDS TOKEN
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select

from commands.views.notices import closed_notice, notice_message
from licensing import orm
from licensing.catalog import load_catalog
from licensing.clock import SystemClock
from licensing.db import make_engine, make_session_factory
from licensing.scheduled import ScheduledWork
from scheduler.delivery import Dispatcher


def main(argv: Sequence[str]) -> int:
    database_url, api_url, lease, token = argv
    engine = make_engine(database_url)
    work = ScheduledWork(make_session_factory(engine), load_catalog(), SystemClock())
    dispatcher = Dispatcher(
        work,
        notice_message,
        lambda key: token,
        close=closed_notice,
        api_url=api_url,
        lease=timedelta(seconds=float(lease)),
    )
    pending = select(func.count()).where(orm.NoticeDelivery.state == "pending")
    while True:
        dispatcher.deliver_due()
        with engine.connect() as conn:
            if not conn.scalar(pending):
                return 0
        time.sleep(0.1)  # what is left is held by another dispatcher, or a dead one's lease


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
