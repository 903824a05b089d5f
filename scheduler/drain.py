"""One run of the dispatcher: claims what is due, posts to many places at once and records
what became of each, until nothing due is left.

Each place (a channel, or a user's DM) has a queue, posted one delivery at a time in the order
written and at Slack's pace; up to `concurrency` deliveries are in flight, places holding
prompt deliveries first. Claims top the queues up as they empty, and take prompt deliveries in
at least every `poll` seconds (or at once when woken). Outcomes are recorded in groups, and
the claim of what is still in hand is extended, so no other dispatcher takes it meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from licensing.notices import Action
from licensing.outbox import Outcomes, may_retry
from licensing.schemas import AccountKey, Delivery
from scheduler.closing import close
from scheduler.posting import NOT_INSTALLED, Gone, Result, Retry, Sent, Wait, attempt

if TYPE_CHECKING:
    from scheduler.delivery import Dispatcher

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass
class _Settled:
    """Outcomes not yet recorded: bulk ones, and failures recorded one by one."""

    outcomes: Outcomes = field(default_factory=Outcomes)
    failed: list[tuple[int, str]] = field(default_factory=list)
    gone: dict[str, list[int]] = field(default_factory=dict)  # reason -> deliveries

    def __len__(self) -> int:
        return len(self.outcomes) + len(self.failed) + sum(map(len, self.gone.values()))


class Drain:
    def __init__(self, dispatcher: Dispatcher, session: aiohttp.ClientSession) -> None:
        self.d = dispatcher
        self.session = session
        self.report = DeliveryReport()
        self._db = ThreadPoolExecutor(1, thread_name_prefix="licensebot-outbox")
        self._queues: dict[str, deque[Delivery]] = {}  # place -> its deliveries, in order
        self._ready: tuple[list[tuple[float, int, str]], ...] = ([], [])  # prompt, bulk
        self._waiting: set[str] = set()  # places in `_ready`
        self._tokens: dict[int, str | None] = {}  # delivery -> the token that posts it
        self._clients: dict[str, AsyncWebClient] = {}
        self._dms: dict[tuple[str, str], str] = {}
        self._in_hand: set[int] = set()  # claimed, outcome not yet known
        self._settled = _Settled()
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()
        self._more_due = True  # a claim may find more
        self._woken = False
        self._seq = 0
        self._last_claim = self._last_flush = self._last_hold = time.monotonic()
        self._background: dict[str, asyncio.Task[None]] = {}  # a claim, a flush, in the database
        self._failure: BaseException | None = None  # of database work: ends the run

    def wake(self) -> None:
        """Something was written that should go at once: claim again now."""
        self._woken = True
        self._changed.set()

    async def run(self) -> DeliveryReport:
        try:
            await self._loop()
        finally:
            pending = [*self._tasks, *self._background.values()]
            await asyncio.gather(*pending, return_exceptions=True)
            try:
                await self._flush()
            finally:
                self._db.shutdown(wait=True)
        return self.report

    async def _loop(self) -> None:
        """Claims and flushes run in the database thread while posts go on; one of each at
        a time, in the order started."""
        while True:
            if self._failure is not None:
                raise self._failure
            now = time.monotonic()
            if "flush" not in self._background and self._flush_due(now):
                self._in_background("flush", self._flush())
            if "claim" not in self._background and self._claim_due(now):
                self._in_background("claim", self._claim())
            if self._in_hand and now - self._last_hold >= self.d.lease.total_seconds() / 3:
                await self._hold()
            started = self._start_ready(time.monotonic())
            if not (self._queues or self._tasks or self._background or self._more_due):
                if not (self._settled or self._woken):
                    return
                if self._settled:
                    self._in_background("flush", self._flush())
                continue
            if not started:
                await self._wait(self._next_event(time.monotonic()))

    def _in_background(self, name: str, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background[name] = task
        task.add_done_callback(functools.partial(self._background_done, name))

    def _background_done(self, name: str, task: asyncio.Task[None]) -> None:
        del self._background[name]
        self._changed.set()
        if not task.cancelled() and task.exception() is not None:
            self._failure = task.exception()

    # claiming

    def _claim_due(self, now: float) -> bool:
        in_hand = len(self._in_hand)
        if self._woken or (self._more_due and in_hand <= self.d.batch // 2):
            return True
        return now - self._last_claim >= self.d.poll and in_hand < 2 * self.d.batch

    async def _claim(self) -> None:
        self._woken = False
        self._last_claim = time.monotonic()
        wanted = max(self.d.batch - len(self._in_hand), self.d.concurrency // 4, 1)
        claimed, tokens = await self._in_db(lambda: self._claim_with_tokens(wanted))
        self._more_due = len(claimed) >= wanted
        for delivery in claimed:
            self._in_hand.add(delivery.id)
            self._tokens[delivery.id] = tokens[_key(delivery)]
            self._queues.setdefault(delivery.target, deque()).append(delivery)
        for place in dict.fromkeys(d.target for d in claimed):
            self._offer(place, time.monotonic())

    def _claim_with_tokens(
        self, wanted: int
    ) -> tuple[list[Delivery], dict[AccountKey, str | None]]:
        """A claim, and the token of each account in it, looked up once (in the database)."""
        claimed = self.d.work.claim_deliveries(self.d.clock.now(), wanted, self.d.lease)
        keys = dict.fromkeys(_key(d) for d in claimed)
        return claimed, {key: self.d.token_for(key) for key in keys}

    # posting

    def _offer(self, place: str, now: float) -> None:
        """Put a place with deliveries waiting, and none in flight, among those to post to."""
        queue = self._queues.get(place)
        if not queue or place in self._waiting:
            return
        first = queue[0]
        lane = 0 if any(d.lane == 0 for d in queue) else 1
        at = self.d.pacing.ready_at(place, self._tokens.get(first.id) or "", now)
        self._seq += 1
        heapq.heappush(self._ready[lane], (at, self._seq, place))
        self._waiting.add(place)

    def _start_ready(self, now: float) -> bool:
        """Start a post to each place whose turn has come, while there are free slots."""
        started = False
        while len(self._tasks) < self.d.concurrency:
            place = self._take_ready(now)
            if place is None:
                break
            task = asyncio.create_task(self._post_next(place))
            self._tasks.add(task)
            task.add_done_callback(self._done)
            started = True
        return started

    def _take_ready(self, now: float) -> str | None:
        for heap in self._ready:  # prompt places first
            while heap and heap[0][0] <= now:
                _, _, place = heapq.heappop(heap)
                queue = self._queues[place]
                at = self.d.pacing.ready_at(place, self._tokens.get(queue[0].id) or "", now)
                if at > now:  # held since it was offered
                    self._seq += 1
                    heapq.heappush(heap, (at, self._seq, place))
                    continue
                self._waiting.discard(place)
                return place
        return None

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._changed.set()
        if not task.cancelled() and task.exception() is not None:  # a bug: its lease runs out
            log.error("a notice post failed unexpectedly", exc_info=task.exception())

    async def _post_next(self, place: str) -> None:
        delivery = self._queues[place].popleft()
        token = self._tokens[delivery.id]
        result: Result = Gone(NOT_INSTALLED)
        if token is not None:
            self.d.pacing.spend(place, time.monotonic())
            client = self._client(token)
            if delivery.action == Action.CLOSE:
                result = await close(client, delivery, self.d.close)
            else:
                result = await attempt(client, delivery, self.d.render, self._dms)
        self._settle(place, delivery, token, result)
        if not self._queues[place]:
            del self._queues[place]
        else:
            self._offer(place, time.monotonic())

    def _client(self, token: str) -> AsyncWebClient:
        # No retry handlers: a blind retry may post twice; the dispatcher retries itself.
        if token not in self._clients:
            self._clients[token] = AsyncWebClient(
                token=token, base_url=self.d.api_url, session=self.session, retry_handlers=[]
            )
        return self._clients[token]

    def _settle(self, place: str, delivery: Delivery, token: str | None, result: Result) -> None:
        if isinstance(result, Wait):
            if result.seconds <= self.d.max_hold.total_seconds():
                until = time.monotonic() + result.seconds
                self.d.pacing.hold((token or "") if result.whole_token else place, until)
                self._queues[place].appendleft(delivery)  # tried again in this run
                return
            wait = timedelta(seconds=result.seconds)
            result = Retry("ratelimited", maybe_posted=delivery.maybe_posted)
        else:
            wait = None
        self._in_hand.discard(delivery.id)
        self._tokens.pop(delivery.id, None)
        if isinstance(result, Sent):
            self._settled.outcomes.sent.append((delivery.id, result.channel, result.ts))
            self.report.sent += 1
        elif isinstance(result, Retry):
            self._retry(place, delivery, result, wait)
        elif isinstance(result, Gone):
            log.warning("notice delivery %s is undeliverable: %s", delivery.id, result.reason)
            self._settled.gone.setdefault(result.reason, []).append(delivery.id)
            self.report.failed += 1
        else:
            self._fail(delivery, result.error)

    def _retry(self, place: str, delivery: Delivery, retry: Retry, wait: timedelta | None) -> None:
        """Try again later; the place's later deliveries go back unattempted, to follow it."""
        backoff = self.d.first_backoff * 2 ** (delivery.attempts - 1)
        wait = wait or min(backoff, self.d.max_backoff)
        at = self.d.clock.now() + wait
        if not may_retry(delivery.first_attempt_at, at):
            self._fail(delivery, f"gave up after {delivery.attempts} attempts: {retry.error}")
            return
        log.warning(
            "notice delivery %s failed (%s); retrying in %s", delivery.id, retry.error, wait
        )
        self._settled.outcomes.retried.append((delivery, at, retry.error, retry.maybe_posted))
        self.report.retried += 1
        later = self._queues[place]
        self._settled.outcomes.given_back += later
        for given_back in later:
            self._in_hand.discard(given_back.id)
            self._tokens.pop(given_back.id, None)
        later.clear()

    def _fail(self, delivery: Delivery, error: str) -> None:
        log.error(
            "notice delivery %s to %s failed for good: %s", delivery.id, delivery.target, error
        )
        self._settled.failed.append((delivery.id, error))
        self.report.failed += 1

    # recording

    def _flush_due(self, now: float) -> bool:
        if not self._settled:
            return False
        idle = not self._tasks and not self._queues
        full = len(self._settled) >= self.d.batch // 2
        return idle or full or now - self._last_flush >= self.d.flush_seconds

    async def _flush(self) -> None:
        self._last_flush = time.monotonic()
        settled, self._settled = self._settled, _Settled()
        if not settled:
            return
        await self._in_db(lambda: self._record(settled))
        self._more_due = True  # a place may have been waiting for what was recorded

    def _record(self, settled: _Settled) -> None:
        work = self.d.work
        work.record_deliveries(settled.outcomes)
        for delivery_id, error in settled.failed:
            work.delivery_failed(delivery_id, error)
        for reason, ids in settled.gone.items():
            work.deliveries_undeliverable(ids, reason)

    async def _hold(self) -> None:
        self._last_hold = time.monotonic()
        ids, until = list(self._in_hand), self.d.clock.now() + self.d.lease
        await self._in_db(lambda: self.d.work.hold_deliveries(ids, until))

    # waiting

    def _next_event(self, now: float) -> float:
        """Seconds until something is due: a place's turn (if a slot is free: else the end
        of a post, which sets `_changed`), a flush, a claim, a hold."""
        moments = []
        if len(self._tasks) < self.d.concurrency:
            moments += [heap[0][0] for heap in self._ready if heap]
        if self._settled:
            moments.append(self._last_flush + self.d.flush_seconds)
        if self._in_hand or self._tasks:
            moments.append(self._last_claim + self.d.poll)
            moments.append(self._last_hold + self.d.lease.total_seconds() / 3)
        return max(min(moments, default=now + self.d.poll) - now, 0.001)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)
        self._changed.clear()

    async def _in_db(self, work: Callable[[], T]) -> T:
        """Run database work in this run's one database thread, in order."""
        return await asyncio.get_running_loop().run_in_executor(self._db, work)


def _key(delivery: Delivery) -> AccountKey:
    notice = delivery.notice
    return AccountKey(team_id=notice.team_id, enterprise_id=notice.enterprise_id)
