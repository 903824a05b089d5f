"""What `licensebot run` and `licensebot scheduler` log: a line each to standard error, from
LICENSEBOT_LOG_LEVEL up (each closed period and the like at INFO)."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format=FORMAT)
    if level != "DEBUG":
        # APScheduler says at INFO that each job starts and ends, every few seconds; the jobs
        # log what they did.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
