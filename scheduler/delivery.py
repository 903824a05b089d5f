"""The dispatcher: sends the outbox's due deliveries to Slack, each once.

Every message carries its delivery id in Slack's message metadata. An attempt whose outcome is
unknown (a crash, a timeout, a 5xx) leaves the delivery marked as possibly posted, and the
next attempt first looks for that id in the conversation, so nothing is ever posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from licensing.clock import Clock, SystemClock
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Delivery, NoticeView

log = logging.getLogger(__name__)

METADATA_EVENT = "licensebot_notice"
# Slack answers these when it may have done the work all the same.
UNSURE_ERRORS = {"internal_error", "fatal_error", "request_timeout", "service_unavailable"}
# Slack answers these when licensebot can no longer act in the workspace at all.
GONE_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "team_not_found"}
NOT_INSTALLED = "licensebot is not installed in this workspace"
HISTORY_LOOKBACK = 200  # messages searched for an earlier attempt

Render = Callable[[NoticeView], dict[str, Any]]
ClientFor = Callable[[AccountKey], WebClient | None]


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass
class Dispatcher:
    """`client_for` gives the bot's client for an account (None if the app is not installed
    there); its clients must not retry by themselves, since a blind retry may post twice."""

    work: ScheduledWork
    render: Render
    client_for: ClientFor
    batch: int = 50
    lease: timedelta = timedelta(minutes=2)
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(minutes=15)
    # Real time even under the test clock: a retry after Retry-After is due seconds later.
    clock: Clock = field(default_factory=SystemClock)

    def deliver_due(self) -> DeliveryReport:
        """Deliver everything due now; a delivery retried later waits for a later sweep."""
        report = DeliveryReport()
        while claimed := self.work.claim_deliveries(self.clock.now(), self.batch, self.lease):
            for delivery in claimed:
                self._deliver(delivery, report)
        return report

    def _deliver(self, delivery: Delivery, report: DeliveryReport) -> None:
        notice = delivery.notice
        client = self.client_for(
            AccountKey(team_id=notice.team_id, enterprise_id=notice.enterprise_id)
        )
        if client is None:
            self._undeliverable(delivery, NOT_INSTALLED, report)
            return
        try:
            channel = self._conversation(client, delivery)
            ts = self._earlier_post(client, channel, delivery) if delivery.maybe_posted else None
        except Exception as error:
            self._after_error(delivery, error, report, posting=False)
            return
        if ts is None:
            try:
                channel, ts = self._post(client, channel, delivery)
            except Exception as error:
                self._after_error(delivery, error, report, posting=True)
                return
        self.work.delivery_sent(delivery.id, channel, ts)
        report.sent += 1

    def _conversation(self, client: WebClient, delivery: Delivery) -> str:
        if not delivery.to_user:
            return delivery.target
        opened = client.conversations_open(users=delivery.target)
        return str(opened["channel"]["id"])

    def _earlier_post(self, client: WebClient, channel: str, delivery: Delivery) -> str | None:
        history = client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and payload.get("delivery") == delivery.id
            ):
                return str(message["ts"])
        return None

    def _post(self, client: WebClient, channel: str, delivery: Delivery) -> tuple[str, str]:
        message = self.render(delivery.notice)
        response = client.chat_postMessage(
            channel=channel,
            text=message["text"],
            blocks=message["blocks"],
            metadata={
                "event_type": METADATA_EVENT,
                "event_payload": {
                    "delivery": delivery.id,
                    "notice": delivery.notice.id,
                    "kind": delivery.notice.facts.kind,
                },
            },
            unfurl_links=False,
        )
        return str(response["channel"]), str(response["ts"])

    def _after_error(
        self, delivery: Delivery, error: Exception, report: DeliveryReport, *, posting: bool
    ) -> None:
        """Retry or give up. `posting`: the error came from the post itself, which may then
        have landed; an earlier attempt's doubt stays until the history settles it."""
        unsure = delivery.maybe_posted or posting
        if not isinstance(error, SlackApiError):
            if not isinstance(error, OSError):  # a bug; retried until given up, then audited
                log.exception("delivering notice %s failed unexpectedly", delivery.id)
            self._retry(delivery, f"{type(error).__name__}: {error}", report, maybe_posted=unsure)
            return
        status = error.response.status_code
        code = f"HTTP {status}" if status >= 500 else str(error.response.get("error") or status)
        if status == 429:  # refused before doing anything
            wait = timedelta(seconds=int(error.response.headers.get("Retry-After", 1)))
            self._retry(
                delivery, "ratelimited", report, maybe_posted=delivery.maybe_posted, wait=wait
            )
        elif status >= 500 or code in UNSURE_ERRORS:
            self._retry(delivery, code, report, maybe_posted=unsure)
        elif code in GONE_ERRORS:
            self._undeliverable(delivery, f"{NOT_INSTALLED} ({code})", report)
        else:  # channel_not_found, is_archived, not_in_channel, invalid_auth, …
            self._fail(delivery, code, report)

    def _retry(
        self,
        delivery: Delivery,
        error: str,
        report: DeliveryReport,
        *,
        maybe_posted: bool,
        wait: timedelta | None = None,
    ) -> None:
        wait = wait or min(self.first_backoff * 2 ** (delivery.attempts - 1), self.max_backoff)
        log.warning("notice delivery %s failed (%s); retrying in %s", delivery.id, error, wait)
        if self.work.delivery_retry(
            delivery.id, self.clock.now() + wait, error, maybe_posted=maybe_posted
        ):
            report.retried += 1
        else:
            self._fail(delivery, f"gave up after {delivery.attempts} attempts: {error}", report)

    def _undeliverable(self, delivery: Delivery, reason: str, report: DeliveryReport) -> None:
        log.warning("notice delivery %s is undeliverable: %s", delivery.id, reason)
        self.work.delivery_undeliverable(delivery.id, reason)
        report.failed += 1

    def _fail(self, delivery: Delivery, error: str, report: DeliveryReport) -> None:
        log.error(
            "notice delivery %s to %s failed for good: %s", delivery.id, delivery.target, error
        )
        self.work.delivery_failed(delivery.id, error)
        report.failed += 1
