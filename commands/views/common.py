"""Formatting and Block Kit pieces shared by several surfaces."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from commands import ids
from licensing.catalog import Catalog
from licensing.money import minor_unit_exponent
from licensing.schemas import InvoiceLineView, RemovedSeats
from licensing.words import plural as plural

Message = dict[str, Any]  # the body of an ephemeral or channel message
OPTION_TEXT = 75  # the most characters Slack shows in the text of a select option


def money(amount: Decimal | None, currency: str) -> str:
    """`1,234.50 USD`, `0.00 USD`, `1,200 JPY`: the currency's own places, with thousands
    separators."""
    if amount is None:
        return "—"
    return f"{amount:,.{minor_unit_exponent(currency)}f} {currency}"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(moment: datetime | None, time_zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%b %-d, %Y %H:%M %Z")


def day(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%b %-d, %Y")


def text_message(text: str) -> Message:
    return {"response_type": "ephemeral", "text": text}


def _blocks_message(text: str, blocks: Sequence[Block]) -> Message:
    return {"response_type": "ephemeral", "text": text, "blocks": [b.to_dict() for b in blocks]}


SECTION_TEXT = 3000  # the most characters of a section's text


def _md(text: str) -> SectionBlock:
    """A section; text beyond Slack's limit (many pools, long names) is cut, not refused."""
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))


def _product_input(catalog: Catalog, product: str | None) -> InputBlock:
    options = [Option(value=p.id, label=clip(p.name, OPTION_TEXT)) for p in catalog.products]
    return InputBlock(
        block_id=ids.PRODUCT_BLOCK,
        label="Product",
        element=StaticSelectElement(
            action_id=ids.PRODUCT_ACTION, options=options, initial_option=_pick(options, product)
        ),
    )


def _office_input(offices: list[str], office: str | None, default: str | None) -> InputBlock:
    """`office` chosen first if given, else `default`. A name longer than Slack shows (stored
    before names were limited) is cut in the list; the option's value keeps it whole."""
    options = [Option(value=o, label=clip(o, OPTION_TEXT)) for o in offices]
    return InputBlock(
        block_id=ids.OFFICE_BLOCK,
        label="Office",
        element=StaticSelectElement(
            action_id=ids.OFFICE_ACTION,
            options=options,
            initial_option=_pick(options, office)
            or _pick(options, default)
            or (options[0] if options else None),
        ),
    )


def _pick(options: list[Option], value: str | None) -> Option | None:
    return next((o for o in options if value is not None and o.value == value), None)


def done_modal(title: str, text: str) -> View:
    return View(
        type="modal",
        callback_id=ids.SEATS_DONE,
        title=PlainTextObject(text=title),
        close=PlainTextObject(text="Done"),
        blocks=[_md(text)],
    )


def span(length: timedelta) -> str:
    """A length of time as people say it: `9 days 4 hours`, `3 hours 20 minutes`."""
    minutes = int(length.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    said = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(said) or "less than a minute"


def product_of(line: InvoiceLineView | RemovedSeats) -> str:
    """A product as people read it: its display name (lines stored before names were kept
    show their id)."""
    return line.product_name or line.product_id
