"""`/license` text to a command. Pure: it knows the catalog and the office names it is given,
and never talks to Slack or the database. Anything malformed is refused with a message saying
how to write it, never half-read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from licensing.calendar import Interval
from licensing.catalog import Catalog
from licensing.names import name_key
from licensing.words import closest

T = TypeVar("T")
Q = TypeVar("Q", bound=BaseModel)

SUBCOMMANDS = (
    "help",
    "status",
    "buy",
    "remove",
    "restore",
    "assign",
    "revoke",
    "users",
    "subscription",
    "invoices",
    "audit",
    "admins",
    "channel",
    "offices",
    "timezone",
    "reminders",
    "retries",
)
# These never name an office, so they are parsed without reading the account's office names.
OFFICE_FREE_COMMANDS = (
    "help",
    "invoices",
    "audit",
    "channel",
    "timezone",
    "reminders",
    "retries",
)
SUBSCRIPTION_ACTIONS = ("status", "subscribe", "cancel", "reactivate", "billing", "interval")
ADMIN_ACTIONS = ("list", "add", "remove")
OFFICE_ACTIONS = ("list", "add", "rename", "remove")
# Words people put around a count and a product ("buy 3 talk seats", "3 seats of talk"), read
# as nothing once the product and office names have been found.
FILLER = frozenset({"seat", "seats", "of", "license", "licenses"})

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")  # 3, 1000 or 1,000
_LOOKS_NUMERIC = re.compile(r"^[+-]?[0-9.,_eE]+$")


class UsageError(Exception):
    """The text cannot be understood; the message says how to write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LicenseCommand:
    name: str
    action: str | None = None
    count: int | None = None
    user_id: str | None = None
    channel_id: str | None = None
    product: str | None = None
    office: str | None = None
    text: str = ""  # free text: billing details, an office name, a time zone


def needs_office_names(text: str) -> bool:
    words = text.split()
    if not words:
        return False
    name = words[0].casefold()
    if name == "status":  # `status` alone shows every office; `status Berlin` names one
        return len(words) > 1
    return name not in OFFICE_FREE_COMMANDS


def parse(text: str, catalog: Catalog, offices: list[str]) -> LicenseCommand:
    words = text.split()
    if not words:
        return LicenseCommand(name="help")
    name = words[0].casefold()
    if name not in SUBCOMMANDS:
        guess = closest(name, SUBCOMMANDS)
        hint = f"Did you mean `{guess}`?" if guess else "Try `/license help`."
        raise UsageError(f"`{_shorten(words[0])}` is not a /license command. {hint}")
    rest = words[1:]
    if name in ("subscription", "admins", "offices"):
        return _with_action(name, rest, catalog, offices)
    if name == "timezone":
        return LicenseCommand(name=name, text=" ".join(rest))
    if name == "reminders":
        return _reminders(rest)
    if name == "retries":
        return _retries(rest)
    return _arguments(name, rest, catalog, offices)


_DAYS = re.compile(r"^([0-9]{1,6})\s*(?:d|days?)?$")


def _reminders(rest: list[str]) -> LicenseCommand:
    """`reminders` shows the lead time; `reminders 5`, `5d` or `5 days` sets it."""
    if not rest:
        return LicenseCommand(name="reminders")
    match = _DAYS.match(" ".join(rest).casefold())
    if match is None:
        raise UsageError(
            "Give the days before a period ends that reminders go out, e.g. `/license reminders 3`."
        )
    return LicenseCommand(name="reminders", count=int(match.group(1)))


_RETRY_DAYS = re.compile(r"^[0-9]{1,3}(?:\s*,?\s*[0-9]{1,3})*$")


def _retries(rest: list[str]) -> LicenseCommand:
    """`retries` shows when a failed charge is tried again; `retries 3,5,7` (or `3 5 7`)
    sets the days after the first failure."""
    text = " ".join(rest)
    if not text:
        return LicenseCommand(name="retries")
    if not _RETRY_DAYS.match(text):
        raise UsageError(
            "Give the days after a failed charge on which it is tried again, e.g. "
            "`/license retries 3,5,7`."
        )
    return LicenseCommand(name="retries", text=",".join(re.findall("[0-9]+", text)))


def _with_action(
    name: str, rest: list[str], catalog: Catalog, offices: list[str]
) -> LicenseCommand:
    choices = {
        "subscription": SUBSCRIPTION_ACTIONS,
        "admins": ADMIN_ACTIONS,
        "offices": OFFICE_ACTIONS,
    }[name]
    action = rest[0].casefold() if rest else choices[0]
    if action not in choices:
        guess = closest(action, choices)
        hint = f"Did you mean `{guess}`?" if guess else "Try `/license help`."
        raise UsageError(f"`/license {name}` takes one of: {', '.join(choices)}. {hint}")
    tail = rest[1:]
    if name == "subscription" and action in ("billing", "subscribe", "interval"):
        return LicenseCommand(name=name, action=action, text=" ".join(tail))
    if name == "offices":
        return _offices(action, tail, offices)
    parsed = _arguments(name, tail, catalog, offices)
    return LicenseCommand(
        name=name,
        action=action,
        user_id=parsed.user_id,
        office=parsed.office,
        channel_id=parsed.channel_id,
    )


_OFFICES_USAGE = {
    "add": "Name the office: `/license offices add Berlin`.",
    "rename": "Name the office and its new name: `/license offices rename Berlin to Munich`.",
    "remove": "Name the office to remove: `/license offices remove Berlin`.",
}


def _offices(action: str, words: list[str], offices: list[str]) -> LicenseCommand:
    """`offices add NAME`, `offices rename OLD to NEW`, `offices remove NAME`. A name keeps
    every character typed (licensing decides whether it can be used)."""
    if action == "list":
        return LicenseCommand(name="offices", action=action)
    if not words:
        raise UsageError(_OFFICES_USAGE[action])
    if action != "rename":
        return LicenseCommand(name="offices", action=action, text=" ".join(words))
    # In "Back to School to Sales", the "to" that follows an office's whole name splits them.
    splits = [i for i, word in enumerate(words) if word.casefold() == "to" and words[i + 1 :]]
    if not splits or splits[0] == 0:
        raise UsageError(_OFFICES_USAGE[action])
    for index in splits:
        old = _office_named(" ".join(words[:index]), offices)
        if old is not None:
            return LicenseCommand(
                name="offices", action=action, office=old, text=" ".join(words[index + 1 :])
            )
    typed = " ".join(words[: splits[0]])
    raise UsageError(
        f"“{_shorten(typed)}” is not an office ({', '.join(offices)})."
        + _did_you_mean(typed, {o: o for o in offices})
        + " "
        + _OFFICES_USAGE[action]
    )


def _office_named(text: str, offices: list[str]) -> str | None:
    key = name_key(text)
    return next((office for office in offices if name_key(office) == key), None)


def _arguments(name: str, words: list[str], catalog: Catalog, offices: list[str]) -> LicenseCommand:
    """Count, user, channel, product and office, in any order, among filler words."""
    count: int | None = None
    user_id: str | None = None
    channel_id: str | None = None
    left: list[str] = []
    for word in words:
        if _NUMBER.match(word):
            count = _single(count, _count(word), "a number of seats")
        elif match := _USER.match(word):
            user_id = _single(user_id, match.group(1), "a user")
        elif match := _CHANNEL.match(word):
            channel_id = _single(channel_id, match.group(1), "a channel")
        elif _LOOKS_NUMERIC.match(word):
            raise UsageError(f"“{_shorten(word)}” is not a whole number of seats. Use e.g. `3`.")
        else:
            left.append(word)
    product, left = _take_name(left, [(p.id, p.name) for p in catalog.products])
    office, left = _take_name(left, [(o, o) for o in offices])
    left = [word for word in left if word.casefold() not in FILLER]
    if left:
        _refuse_leftover(name, left, catalog, offices)
    if name == "status" and (count, user_id, channel_id, product) != (None, None, None, None):
        example = offices[-1] if offices else "Main"
        raise UsageError(
            f"`/license status` takes an office or nothing: `/license status {example}`."
        )
    return LicenseCommand(
        name=name,
        count=count,
        user_id=user_id,
        channel_id=channel_id,
        product=product,
        office=office,
    )


def _refuse_leftover(name: str, left: list[str], catalog: Catalog, offices: list[str]) -> None:
    for word in left:
        if word.startswith("@") and len(word) > 1:
            raise UsageError(
                f"“{_shorten(word)}” is not a Slack user licensebot can see: mention someone by "
                "typing @ and picking them from the list Slack shows."
            )
        if word.startswith("#") and len(word) > 1:
            raise UsageError(
                f"“{_shorten(word)}” is not a channel licensebot can see: type # and pick the "
                "channel from the list Slack shows."
            )
    leftover = _shorten(" ".join(left))
    if name in OFFICE_FREE_COMMANDS:
        raise UsageError(f"`/license {name}` does not take “{leftover}”. Try `/license help`.")
    names = {p.id: p.name for p in catalog.products} | {p.name: p.name for p in catalog.products}
    names |= {o: o for o in offices}
    guess = _did_you_mean(" ".join(left), names) or next(
        (hint for word in left[:5] if (hint := _did_you_mean(word, names))), ""
    )
    raise UsageError(
        f"“{leftover}” is neither a product ({', '.join(p.id for p in catalog.products)}) "
        f"nor an office ({', '.join(offices)})."
        + (guess or " Check the spelling, or try `/license help`.")
    )


def _did_you_mean(text: str, names: dict[str, str]) -> str:
    """` Did you mean Talk?`, for a text close to one of `names` (spelling → what to show)."""
    guess = closest(text, names)
    return f" Did you mean {names[guess]}?" if guess else ""


def _count(word: str) -> int:
    digits = word.replace(",", "")
    if len(digits) > 12:
        raise UsageError(f"“{_shorten(word)}” is far too many seats. Use a number up to 10,000.")
    return int(digits)


def _single(current: T | None, new: T, what: str) -> T:
    if current is not None:
        raise UsageError(f"Give {what} only once. Try `/license help`.")
    return new


def _take_name(words: list[str], names: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """Find the longest run of words that is an id or a name (compared as names are: without
    regard to case, spacing or Unicode forms); return its id and the words left."""
    keys = [(ident, {name_key(ident), name_key(display)}) for ident, display in names]
    # A run of more words than the longest name has cannot be a name.
    longest = max((len(key.split()) for _, known in keys for key in known), default=0)
    for length in range(min(len(words), longest), 0, -1):
        for start in range(len(words) - length + 1):
            phrase = name_key(" ".join(words[start : start + length]))
            for ident, known in keys:
                if phrase in known:
                    return ident, words[:start] + words[start + length :]
    return None, words


def _shorten(text: str, limit: int = 40) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_request(request_type: type[Q], **fields: Any) -> Q:
    """A request from `/license` words; text it cannot hold is refused with what to do."""
    try:
        return request_type(**fields)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise UsageError(
            f"licensebot cannot take that ({problem}). Check it and try again, "
            "or see `/license help`."
        ) from exc


INTERVAL_WORDS = {
    "month": Interval.MONTH,
    "monthly": Interval.MONTH,
    "year": Interval.YEAR,
    "yearly": Interval.YEAR,
    "annual": Interval.YEAR,
    "annually": Interval.YEAR,
}


def interval_of(text: str) -> Interval:
    """`monthly` or `annual` (and their usual variants) from `/license subscription interval`."""
    interval = INTERVAL_WORDS.get(text.strip().casefold())
    if interval is None:
        raise UsageError(
            "Say how the subscription is to be billed: "
            "`/license subscription interval monthly` or `/license subscription interval annual`."
        )
    return interval
