"""Small pieces of the sentences people read: a count with its noun, an article."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`plural(1, "seat")` is "1 seat", `plural(1000, "seat")` "1,000 seats"; `nouns` is the
    plural when it is not the noun with an "s"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def a(noun: str) -> str:
    """The noun with its indefinite article: "an office admin", "a company admin"."""
    return f"{'an' if noun[:1].casefold() in 'aeiou' else 'a'} {noun}"
