"""Office names: how a typed name is made tidy, compared, and refused when it would mislead.

A name is normalised (Unicode NFKC, runs of spaces made one) and nothing else is changed: a
character that cannot be shown plainly (a control or format character such as a zero-width
space or a right-to-left override) or a letter from another alphabet that looks like a Latin
one is refused with a message that names it, never dropped."""

from __future__ import annotations

import unicodedata

from licensing.card_data import holds_card_data
from licensing.errors import (
    CardNumberInText,
    OfficeNameHiddenCharacter,
    OfficeNameMissing,
    OfficeNameMixedAlphabets,
    OfficeNameTooLong,
)

# Slack shows at most 75 characters in the text of a select option, and every office is one.
MAX_OFFICE_NAME = 75
_MAX_KEY = 80  # the stored comparison key (a casefold can make a name longer: "ß" is "ss")
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs"})  # control, format, private use, surrogate
_LOOK_ALIKES = ("CYRILLIC", "GREEK")  # alphabets with letters that pass for Latin ones


def tidy(text: str) -> str:
    """NFKC, with every run of white space made one space and none at the ends."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def name_key(text: str) -> str:
    """Two names with the same key are the same name (Unicode-aware, case-insensitive)."""
    return unicodedata.normalize("NFKC", tidy(text).casefold())


def office_name(text: str) -> str:
    """The name to store for a typed office name, or a refusal that says what to change."""
    name = tidy(text)
    if not name:
        raise OfficeNameMissing()
    if holds_card_data(name):
        raise CardNumberInText()
    for index, char in enumerate(name):
        if unicodedata.category(char) in _HIDDEN:
            raise OfficeNameHiddenCharacter(describe(char), name[:index])
    _check_one_alphabet(name)
    if len(name) > MAX_OFFICE_NAME or len(name_key(name)) > _MAX_KEY:
        raise OfficeNameTooLong(name, MAX_OFFICE_NAME)
    return name


def describe(char: str) -> str:
    """`U+200B ZERO WIDTH SPACE`: a character as a person can look it up."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _check_one_alphabet(name: str) -> None:
    """Refuse Latin letters mixed with Cyrillic or Greek ones: "Bеrlin" with a Cyrillic "е"
    looks like "Berlin" but is another name."""
    letters = [(char, _alphabet(char)) for char in name if unicodedata.category(char)[0] == "L"]
    used = {alphabet for _, alphabet in letters}
    if "LATIN" not in used or not used & set(_LOOK_ALIKES):
        return
    counts = {a: sum(1 for _, b in letters if b == a) for a in ("LATIN", *_LOOK_ALIKES)}
    mixed = [a for a in counts if counts[a]]
    odd = min(mixed, key=lambda a: (counts[a], a == "LATIN"))  # the fewer; on a tie, not Latin
    char = next(c for c, alphabet in letters if alphabet == odd)
    main = next(a for a in mixed if a != odd)
    raise OfficeNameMixedAlphabets(name, char, describe(char), main.title(), odd.title())


def _alphabet(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]
