"""The dispatcher: sends the outbox's due deliveries to Slack, each once, to many places at once.

It runs on an asyncio loop of its own (`deliver_due` starts one in the calling thread), with
one aiohttp session for every workspace's client, so it never shares a web server's loop.
What one run does is in `scheduler.drain`; one attempt in `scheduler.posting`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp

from licensing.clock import Clock, SystemClock
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey
from scheduler.closing import Close
from scheduler.drain import DeliveryReport, Drain
from scheduler.pacing import Pacing
from scheduler.posting import Render

__all__ = ["DeliveryReport", "Dispatcher", "TokenFor"]

# The bot token that posts an account's notices; None if the app is not installed there.
TokenFor = Callable[[AccountKey], str | None]
SLACK_API_URL = "https://slack.com/api/"


@dataclass
class Dispatcher:
    """`token_for` is called in a database thread, once per account and claim. `render` gives
    the message a notice posts; `close`, the message a posted one becomes once closed."""

    work: ScheduledWork
    render: Render
    token_for: TokenFor
    close: Close = field(kw_only=True)
    api_url: str = SLACK_API_URL
    concurrency: int = 32  # deliveries in flight at once
    batch: int = 200  # deliveries claimed at once; more are claimed as these go
    lease: timedelta = timedelta(minutes=2)  # a claim's hold, extended while in hand
    poll: float = 1.0  # seconds between claims while busy, so prompt deliveries join in
    flush_seconds: float = 0.5  # outcomes are recorded at least this often
    max_hold: timedelta = timedelta(minutes=1)  # a longer Retry-After waits in the outbox
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(minutes=15)
    # Real time even under the test clock: a retry after Retry-After is due seconds later.
    clock: Clock = field(default_factory=SystemClock)
    pacing: Pacing = field(default_factory=Pacing)
    _runs: dict[int, tuple[asyncio.AbstractEventLoop, Drain]] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def deliver_due(self) -> DeliveryReport:
        """Deliver everything due now, on an event loop of its own; what must wait (a retry
        after a server error) waits for a later run."""
        return asyncio.run(self.drain())

    async def drain(self) -> DeliveryReport:
        async with aiohttp.ClientSession() as session:
            run = Drain(self, session)
            with self._lock:
                self._runs[id(run)] = (asyncio.get_running_loop(), run)
            try:
                return await run.run()
            finally:
                with self._lock:
                    del self._runs[id(run)]

    def wake(self) -> None:
        """Have every run in progress claim at once (a change's log line was written). Safe
        from any thread."""
        with self._lock:
            runs = list(self._runs.values())
        for loop, run in runs:
            with contextlib.suppress(RuntimeError):  # the run ended and closed its loop
                loop.call_soon_threadsafe(run.wake)
