"""The failures a FakeSlack answers instead of a call: injected ones, queued by method, and
Slack's limit on posts to one channel."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http import HTTPStatus

from slack_standin.api_requests import Reply
from slack_standin.workspace import JsonDict


@dataclass(frozen=True)
class Fault:
    status: int
    retry_after: int
    error: str | None
    applied: bool = False  # the call takes effect before the failure is answered
    channel: str | None = None  # only a call to this channel fails

    def hits(self, params: JsonDict) -> bool:
        return self.channel is None or params.get("channel") == self.channel

    def reply(self) -> Reply:
        if self.error is not None:
            return Reply.of_json({"ok": False, "error": self.error})
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            body = {"ok": False, "error": "ratelimited"}
            return Reply.of_json(body, self.status, (("Retry-After", str(self.retry_after)),))
        phrase = HTTPStatus(self.status).phrase.encode()
        return Reply(self.status, phrase, "text/plain; charset=utf-8")


@dataclass
class PostLimit:
    """Slack's limit on posting to one channel: about one message a second, with short bursts
    allowed (a token bucket of `burst` messages, refilled at `per_second`)."""

    per_second: float
    burst: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # tokens, when

    def wait(self, channel: str, now: float) -> float:
        """0 if a message to `channel` may go now (and it is counted), else seconds to wait."""
        tokens, then = self._buckets.get(channel, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.per_second)
        if tokens < 1:
            self._buckets[channel] = (tokens, now)
            return (1 - tokens) / self.per_second
        self._buckets[channel] = (tokens - 1, now)
        return 0.0


class Faults:
    """The faults waiting for the calls of each method, and the post limit if one is set."""

    def __init__(self) -> None:
        self._queued: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self.post_limit: PostLimit | None = None

    def add(self, method: str, fault: Fault, times: int) -> None:
        self._queued[method].extend([fault] * times)

    def take(self, method: str, params: JsonDict) -> Fault | None:
        """The fault a call meets, if any: the first queued one that hits it, else a 429 when
        it would post over the limit."""
        return self._take_queued(method, params) or self._over_limit(method, params)

    def _take_queued(self, method: str, params: JsonDict) -> Fault | None:
        queue = self._queued.get(method)
        if not queue:
            return None
        fault = next((f for f in queue if f.hits(params)), None)
        if fault is not None:
            queue.remove(fault)
        return fault

    def _over_limit(self, method: str, params: JsonDict) -> Fault | None:
        if self.post_limit is None or method != "chat.postMessage":
            return None
        wait = self.post_limit.wait(str(params.get("channel")), time.monotonic())
        return Fault(HTTPStatus.TOO_MANY_REQUESTS, math.ceil(wait), None) if wait else None
