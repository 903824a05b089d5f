"""What was charged and what happened: invoices and the audit log."""

from __future__ import annotations

from commands.views.common import Message, money, plural, product_of, text_message, when
from licensing.schemas import SYSTEM_ACTOR, AuditTrail, InvoiceHistory


def invoices_message(history: InvoiceHistory) -> Message:
    if not history.invoices:
        return text_message("No invoices yet.")
    lines, time_zone = [], history.time_zone
    for invoice in history.invoices:
        detail = "; ".join(
            f"{line.seats:,} × {product_of(line)} ({line.office}) {money(line.amount, invoice.currency)}"
            for line in invoice.lines
        )
        lines.append(
            f"#{invoice.id} {invoice.kind} · {when(invoice.created_at, time_zone)} · "
            f"*{money(invoice.total, invoice.currency)}* — {detail}"
        )
    return text_message("\n".join(lines))


def audit_message(trail: AuditTrail) -> Message:
    lines, time_zone = [], trail.time_zone
    for e in trail.entries:
        what = " ".join(str(x) for x in (e.product_id, e.office) if x)
        amount = f" {money(e.amount, e.currency)}" if e.currency else ""
        user = f" <@{e.user_id}>" if e.user_id else ""
        actor = e.actor if e.actor == SYSTEM_ACTOR else f"<@{e.actor}>"
        detail = f" — {e.detail}" if e.detail else ""
        seats = f" {plural(e.seats, 'seat')}" if e.seats else ""
        lines.append(
            f"{when(e.at, time_zone)} · {e.event} · {actor}{user} {what}{seats}{amount}".rstrip()
            + detail
        )
    return text_message("\n".join(lines) or "Nothing recorded yet.")
