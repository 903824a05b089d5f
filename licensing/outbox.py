"""The outbox's bookkeeping: which deliveries are due, and what became of each attempt.

Delivery times are real time, not the billing clock: a retry after Slack's Retry-After must
happen seconds later even while the test clock stands still.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from licensing import notices, orm
from licensing.context import Context
from licensing.notice_store import DELIVERIES_GIVEN_BACK, DELIVERIES_RETRIED, DELIVERIES_SENT
from licensing.repository import Repository
from licensing.schemas import Delivery, NoticeFacts, NoticeView
from licensing.words import plural

# Transient failures are retried until this long after the first attempt, then given up.
GIVE_UP_AFTER = timedelta(hours=24)


def claim(repo: Repository, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
    """Up to `limit` due deliveries, each marked as possibly posted and held for `lease`, so
    another dispatcher leaves it alone and a crash before the outcome is recorded is noticed.
    The prompt lane comes first, and with each place it reaches, every delivery due there, so
    a place's posts keep their order. Sorted as written."""
    repo.begin_claim()
    rows = list(repo.claim_deliveries(now, limit))
    prompt = {row.target for row in rows if row.lane == notices.Lane.PROMPT}
    if prompt:
        rows += repo.claim_deliveries_to(now, prompt, [row.id for row in rows])
    if rows:
        repo.take_deliveries([row.id for row in rows], now, now + lease)
    return sorted((_delivery(row, now) for row in rows), key=lambda d: d.id)


def _delivery(row: Any, now: datetime) -> Delivery:
    return Delivery(
        id=row.id,
        target=row.target,
        to_user=_is_user(row.target),
        attempts=row.attempts + 1,
        maybe_posted=row.maybe_posted,
        first_attempt_at=row.first_attempt_at or now,
        lane=row.lane,
        due_at=row.next_attempt_at,
        action=row.action,
        channel=row.channel,
        ts=row.ts,
        notice=NoticeView(
            id=row.notice_id,
            team_id=row.team_id,
            enterprise_id=row.enterprise_id,
            time_zone=row.time_zone,
            facts=NoticeFacts.model_validate_json(row.payload),
        ),
    )


@dataclass
class Outcomes:
    """What became of claimed deliveries, recorded together in one transaction: `sent` as
    (id, channel, ts); `retried` as the delivery, when, why and whether it may have been
    posted; `given_back` never attempted, to be claimed again as if never claimed."""

    sent: list[tuple[int, str, str]] = field(default_factory=list)
    retried: list[tuple[Delivery, datetime, str, bool]] = field(default_factory=list)
    given_back: list[Delivery] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.given_back)


def record(repo: Repository, outcomes: Outcomes) -> None:
    repo.update_deliveries(
        DELIVERIES_SENT,
        [{"b_id": i, "b_channel": channel, "b_ts": ts} for i, channel, ts in outcomes.sent],
    )
    _close_late_posts(repo, outcomes.sent)
    repo.update_deliveries(
        DELIVERIES_RETRIED,
        [
            {"b_id": d.id, "b_at": at, "b_error": error[:200], "b_maybe_posted": maybe}
            for d, at, error, maybe in outcomes.retried
        ],
    )
    repo.update_deliveries(
        DELIVERIES_GIVEN_BACK,
        [
            {
                "b_id": d.id,
                "b_maybe_posted": d.maybe_posted,
                "b_first": d.first_attempt_at if d.attempts > 1 else None,
                "b_due": d.due_at,
            }
            for d in outcomes.given_back
        ],
    )


def _close_late_posts(repo: Repository, sent: Sequence[tuple[int, str, str]]) -> None:
    """A post recorded after its notice's period closed may show buttons that no longer apply
    (rendered before the close, or found posted by an earlier attempt): a close follows it,
    which leaves a message without them as it is. Rare: such notices are few, and most are
    posted days before their period ends."""
    if not sent:
        return
    messages = {i: (channel, ts) for i, channel, ts in sent}
    for posted, notice in repo.posts_of_kinds(messages, notices.BUTTONS_END):
        if not NoticeFacts.model_validate_json(notice.payload).buttons_closed:
            continue
        closes = repo.deliveries_of(notice.id)
        if any(d.action == notices.Action.CLOSE and d.target == posted.target for d in closes):
            continue
        repo.add(
            notices.new_delivery(
                notice, posted.target, notices.Lane.BULK, notices.Action.CLOSE, messages[posted.id]
            )
        )


def may_retry(first_attempt_at: datetime, at: datetime) -> bool:
    """Whether a delivery first attempted then may still be tried at `at`."""
    return at - first_attempt_at <= GIVE_UP_AFTER


def sent(repo: Repository, delivery_id: int, channel: str, ts: str) -> None:
    record(repo, Outcomes(sent=[(delivery_id, channel, ts)]))


def retry(
    repo: Repository, delivery_id: int, at: datetime, error: str, *, maybe_posted: bool
) -> bool:
    """Try again at `at`, before the bulk; False (and nothing changed) once the retries have
    run out."""
    row = repo.delivery(delivery_id)
    if not may_retry(row.first_attempt_at or at, at):
        return False
    row.next_attempt_at, row.error, row.maybe_posted = at, error[:200], maybe_posted
    row.lane = notices.Lane.PROMPT
    return True


def failed(context: Context, delivery_id: int, error: str) -> None:
    """Give up on a delivery and say so in the ledger (so `/license audit` shows it). If the
    notice channel itself is gone, stop using it: this notice and those waiting for the
    channel go to the company admins by DM, as every later one will."""
    row = context.repo.delivery(delivery_id)
    notice = context.uow.session.get_one(orm.Notice, row.notice_id)
    _give_up(row, error)
    what = f"the close of {notice.kind}" if row.action == notices.Action.CLOSE else notice.kind
    context.record("notice_failed", detail=f"{what} to {row.target}: {error}"[:500])
    if _is_user(row.target) or row.action == notices.Action.CLOSE:
        return  # a DM has nowhere else to go; a close fails for its message only
    moving = [row]
    if row.target == context.account.notice_channel:
        context.account.notice_channel = None
        context.record(
            "notice_channel_dropped",
            detail=f"{row.target} cannot be posted to ({error}); notices go to company admins by DM",
        )
        moving += context.repo.pending_deliveries(context.account.id, row.target)
    for delivery in moving:
        _give_up(delivery, error)
        _send_elsewhere(context, delivery)


def undeliverable(context: Context, deliveries: Sequence[orm.NoticeDelivery], reason: str) -> int:
    """Give up on deliveries because licensebot cannot reach the workspace at all (it was
    uninstalled, or its token revoked). Unlike a failing channel, the channel stays set, so
    a reinstall delivers there again."""
    for delivery in deliveries:
        _give_up(delivery, reason)
    if deliveries:
        context.record(
            "notices_undeliverable",
            seats=0,
            detail=f"{plural(len(deliveries), 'notice')}: {reason}",
        )
    return len(deliveries)


def _send_elsewhere(context: Context, delivery: orm.NoticeDelivery) -> None:
    notice = context.uow.session.get_one(orm.Notice, delivery.notice_id)
    if notice.kind == notices.NoticeKind.ACTIVITY:  # logs are for the channel only
        return
    if delivery.action == notices.Action.CLOSE:  # its message is in the channel given up
        return
    already = {d.target for d in context.repo.deliveries_of(notice.id)}
    for target in notices.recipients(context):
        if target not in already:
            # late already: it goes before the bulk, as a retry does
            context.repo.add(notices.new_delivery(notice, target, notices.Lane.PROMPT))


def _is_user(target: str) -> bool:
    return target.startswith(("U", "W"))  # Slack's user ids; channels start with C, G or D


def _give_up(row: orm.NoticeDelivery, error: str) -> None:
    row.state, row.error, row.maybe_posted = "failed", error[:200], False
