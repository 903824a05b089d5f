"""What was charged and what happened: invoices and the audit log, a page at a time."""

from __future__ import annotations

from commands.views.common import Message, day, money, plural, product_of, text_message, when
from licensing.schemas import SYSTEM_ACTOR, AuditTrail, InvoiceHistory, LedgerView, PaymentView

INVOICE_KINDS = {"purchase": "seats bought", "subscription": "first period", "renewal": "renewal"}


def invoices_message(history: InvoiceHistory) -> Message:
    if not history.invoices:
        return text_message("No invoices yet." if history.page == 1 else _past_the_end(history))
    time_zone, lines = history.time_zone, [_page_heading("Invoices", history, "newest first")]
    for invoice in history.invoices:
        detail = "; ".join(
            f"{line.seats:,} × {product_of(line)} ({line.office}) "
            f"{money(line.amount, invoice.currency)}"
            for line in invoice.lines
        )
        covers = f"{day(invoice.covers_start, time_zone)} – {day(invoice.covers_end, time_zone)}"
        kind = INVOICE_KINDS.get(invoice.kind, invoice.kind)
        lines.append(
            f"#{invoice.id} {kind}, for {covers} · *{money(invoice.total, invoice.currency)}*"
            f"{_payment_state(invoice.payment, time_zone)} — {detail}"
        )
    lines += _more("invoices", history, "Older")
    return text_message("\n".join(lines))


def _payment_state(payment: PaymentView | None, time_zone: str) -> str:
    """` · paid`, ` · failed (Your card was declined.), retried Feb 3` …, with the provider's
    page for it; nothing where invoices are records only."""
    if payment is None:
        return ""
    said = {"due": "open", "paid": "paid", "failed": "failed", "void": "void"}[payment.state]
    if payment.state == "due" and payment.failures:
        said = "failed"
    if payment.reason and said == "failed":
        said += f" ({payment.reason})"
    if payment.state == "due" and payment.next_attempt_at and payment.failures:
        said += f", retried {day(payment.next_attempt_at, time_zone)}"
    link = f" <{payment.hosted_url}|view>" if payment.hosted_url else ""
    return f" · {said}{link}"


def audit_message(trail: AuditTrail) -> Message:
    if not trail.entries:
        return text_message("Nothing recorded yet." if trail.page == 1 else _past_the_end(trail))
    lines = [_page_heading("Audit log", trail, "oldest first")]
    lines += [f"{when(e.at, trail.time_zone)} · {_in_words(e)}" for e in trail.entries]
    lines += _more("audit", trail, "Earlier")
    return text_message("\n".join(lines))


def _page_heading(title: str, page: InvoiceHistory | AuditTrail, order: str) -> str:
    shown = len(page.invoices if isinstance(page, InvoiceHistory) else page.entries)
    if page.total <= shown:
        return f"*{title}* ({order})"
    first = (page.page - 1) * page.per_page + 1
    return f"*{title}, {first:,}–{first + shown - 1:,} of {page.total:,}* ({order})"


def _more(command: str, page: InvoiceHistory | AuditTrail, which: str) -> list[str]:
    if page.page * page.per_page >= page.total:
        return []
    return [f"{which}: `/license {command} {page.page + 1}`"]


def _past_the_end(page: InvoiceHistory | AuditTrail) -> str:
    pages = max(1, -(-page.total // page.per_page))
    return f"There is no page {page.page}: there {'is' if pages == 1 else 'are'} {plural(pages, 'page')}."


# What each ledger event says, in words; {seats}, {office}, {user} and {detail} are filled in.
_EVENTS = {
    "trial_started": "opened the account on its free trial ({detail})",
    "trial_seats_added": "added {seats} in {office}, free during the trial",
    "trial_seats_removed": "removed {seats} from {office}, free during the trial",
    "seats_purchased": "bought {seats} in {office}",
    "seats_restored": "restored {seats} in {office}",
    "removal_scheduled": "scheduled {seats} in {office} to leave at the period end",
    "seats_removed": "{seats} left {office} at the period end",
    "seat_assigned": "gave {user} a seat: {seats} in {office}",
    "seat_revoked": "took back {user}'s seat: {seats} in {office}",
    "subscription_scheduled": "subscribed, {detail}",
    "subscription_started": "started the subscription, {detail}",
    "subscribed": "charged the first period for {seats} in {office}",
    "renewal_charged": "charged the renewal of {seats} in {office}",
    "cancellation_scheduled": "canceled the subscription, from the end of its period",
    "reactivated": "reactivated the subscription",
    "subscription_ended": "ended the subscription; its offices, seats and roles were deleted",
    "trial_expired": "ended the free trial, unconverted",
    "interval_changed": "switched the billing: {detail}",
    "billing_details_updated": "updated the billing details",
    "notice_channel_set": "chose <#{detail}> for notices",
    "notice_lead_set": "set reminders to go out {detail} before a period ends",
    "time_zone_set": "set the billing time zone to {detail}",
    "office_added": "added the office {office}",
    "office_renamed": "renamed an office to {office} ({detail})",
    "office_removed": "removed the office {office}",
    "role_granted": "made {user} {detail}",
    "role_revoked": "removed {user} as {detail}",
    "notice_failed": "could not deliver a notice: {detail}",
    "notice_channel_dropped": "stopped posting to the notice channel: {detail}",
    "notices_undeliverable": "gave up notices: {detail}",
    "payment_customer_created": "opened the account's customer at the payment provider",
    "card_updated": "saw a new card on file: {detail}",
    "payment_collected": "collected invoice {invoice}",
    "payment_failed": "could not collect invoice {invoice}, {detail}",
    "payment_retry_requested": "asked for invoice {invoice} to be charged again now",
    "payment_past_due": "put the account past due: invoice {invoice} is unpaid after every retry",
    "payment_standing_restored": "returned the account to good standing: nothing is owed",
    "payment_voided": "voided invoice {invoice} at the payment provider",
    "payment_retries_set": "set failed charges to be tried again {detail} after the first failure",
    "subscription_ended_unpaid": "ended the subscription, unpaid; its offices, seats and roles "
    "were deleted",
}


def _in_words(entry: LedgerView) -> str:
    """`@olivia bought 2 Talk seats in Main · 19.29 USD`."""
    actor = "licensebot" if entry.actor == SYSTEM_ACTOR else f"<@{entry.actor}>"
    product = entry.product_name or entry.product_id or ""
    fields = {
        "seats": plural(entry.seats, f"{product} seat".strip()),
        "office": entry.office or "",
        "user": f"<@{entry.user_id}>" if entry.user_id else "someone",
        "detail": entry.detail.replace("_", " "),
        "invoice": f"#{entry.invoice_id}" if entry.invoice_id else "",
    }
    template = _EVENTS.get(entry.event)
    said = template.format(**fields) if template else entry.event.replace("_", " ")
    amount = f" · {money(entry.amount, entry.currency)}" if entry.currency and entry.amount else ""
    return f"{actor} {said}{amount}"
