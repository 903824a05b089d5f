"""Small pieces of the sentences people read: a count with its noun, a guess at a misspelling."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`plural(1, "seat")` is "1 seat", `plural(1000, "seat")` "1,000 seats"; `nouns` is the
    plural when it is not the noun with an "s"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def closest(text: str, choices: Iterable[str]) -> str | None:
    """The choice that `text` most likely misspells (case-insensitive), or None. Swapped
    letters come first (`remvoe` is `remove`, not `revoke`), then the most similar spelling."""
    by_key = {choice.casefold(): choice for choice in choices}
    typed = text.casefold()
    swapped = [key for key in by_key if sorted(key) == sorted(typed)]
    if len(swapped) == 1:
        return by_key[swapped[0]]
    found = difflib.get_close_matches(typed, list(by_key), n=1, cutoff=0.6)
    return by_key[found[0]] if found else None


def a(noun: str) -> str:
    """The noun with its indefinite article: "an office admin", "a company admin"."""
    return f"{'an' if noun[:1].casefold() in 'aeiou' else 'a'} {noun}"
