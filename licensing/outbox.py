"""The outbox's bookkeeping: which deliveries are due, and what became of each attempt.

Delivery times are real time, not the billing clock: a retry after Slack's Retry-After must
happen seconds later even while the test clock stands still.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from licensing import notices, orm
from licensing.context import Context
from licensing.repository import Repository
from licensing.schemas import Delivery, NoticeFacts, NoticeView
from licensing.words import plural

# Transient failures are retried until this long after the first attempt, then given up.
GIVE_UP_AFTER = timedelta(hours=24)


def claim(repo: Repository, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
    """Due deliveries, each marked as possibly posted and held for `lease`, so another
    dispatcher leaves it alone and a crash before the outcome is recorded is noticed."""
    claimed = []
    for row in repo.claim_deliveries(now, limit):
        claimed.append(_delivery(repo, row, now))
        row.attempts += 1
        row.maybe_posted = True
        row.first_attempt_at = row.first_attempt_at or now
        row.next_attempt_at = now + lease
    return claimed


def _delivery(repo: Repository, row: orm.NoticeDelivery, now: datetime) -> Delivery:
    notice = repo.session.get_one(orm.Notice, row.notice_id)
    account = repo.account_by_id(row.account_id)
    return Delivery(
        id=row.id,
        target=row.target,
        to_user=_is_user(row.target),
        attempts=row.attempts + 1,
        maybe_posted=row.maybe_posted,
        first_attempt_at=row.first_attempt_at or now,
        notice=NoticeView(
            id=notice.id,
            team_id=account.team_id,
            enterprise_id=account.enterprise_id,
            time_zone=account.time_zone,
            facts=NoticeFacts.model_validate_json(notice.payload),
        ),
    )


def sent(repo: Repository, delivery_id: int, channel: str, ts: str) -> None:
    row = repo.delivery(delivery_id)
    row.state, row.channel, row.ts = "sent", channel, ts
    row.maybe_posted, row.error = False, None


def retry(
    repo: Repository, delivery_id: int, at: datetime, error: str, *, maybe_posted: bool
) -> bool:
    """Try again at `at`; False (and nothing changed) once the retries have run out."""
    row = repo.delivery(delivery_id)
    first = row.first_attempt_at or at
    if at - first > GIVE_UP_AFTER:
        return False
    row.next_attempt_at, row.error, row.maybe_posted = at, error[:200], maybe_posted
    return True


def failed(context: Context, delivery_id: int, error: str) -> None:
    """Give up on a delivery and say so in the ledger (so `/license audit` shows it). If the
    notice channel itself is gone, stop using it: this notice and those waiting for the
    channel go to the company admins by DM, as every later one will."""
    row = context.repo.delivery(delivery_id)
    notice = context.uow.session.get_one(orm.Notice, row.notice_id)
    _give_up(row, error)
    context.record("notice_failed", detail=f"{notice.kind} to {row.target}: {error}"[:500])
    if _is_user(row.target):  # a DM that fails has nowhere else to go
        return
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
    already = {d.target for d in context.repo.deliveries_of(notice.id)}
    for target in notices.recipients(context):
        if target not in already:
            context.repo.add(notices.new_delivery(notice, target))


def _is_user(target: str) -> bool:
    return target.startswith(("U", "W"))  # Slack's user ids; channels start with C, G or D


def _give_up(row: orm.NoticeDelivery, error: str) -> None:
    row.state, row.error, row.maybe_posted = "failed", error[:200], False
