"""A count with its noun, an article, and a guess at what a misspelt word meant."""

from __future__ import annotations

import pytest

from licensing.words import a, closest, plural


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0 seats"), (1, "1 seat"), (2, "2 seats"), (1000, "1,000 seats")]
)
def test_a_count_takes_the_singular_only_when_it_is_one(count: int, text: str) -> None:
    assert plural(count, "seat") == text


def test_an_irregular_plural_is_given() -> None:
    assert plural(2, "person", "people") == "2 people"
    assert plural(1, "person", "people") == "1 person"


def test_the_article_fits_the_sound_of_the_noun() -> None:
    assert (a("office admin"), a("company admin")) == ("an office admin", "a company admin")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("stauts", "status"), ("remvoe", "remove"), ("byu", "buy"), ("STATSU", "status")],
)
def test_swapped_letters_and_near_spellings_find_what_was_meant(typed: str, meant: str) -> None:
    assert closest(typed, ["status", "buy", "remove", "revoke", "restore"]) == meant


def test_nothing_is_guessed_for_a_word_unlike_any_choice() -> None:
    assert closest("frobnicate", ["status", "buy", "remove"]) is None
