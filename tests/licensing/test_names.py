"""Office names: made tidy, compared as people read them, and refused when they would mislead."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licensing import errors
from licensing.names import MAX_OFFICE_NAME, name_key, office_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Berlin   Office ", "Berlin Office"),
        ("Berlin\u00a0Office", "Berlin Office"),  # a no-break space is a space
        ("Ｂｅｒｌｉｎ", "Berlin"),  # full-width letters are letters
        ("Zu\u0308rich", "Zürich"),  # a letter and its accent are one letter
        ("São Paulo", "São Paulo"),
        ("東京", "東京"),
        ("Москва", "Москва"),
        ("Αθήνα", "Αθήνα"),
    ],
)
def test_a_name_is_stored_in_nfkc_with_its_spaces_made_one(typed: str, stored: str) -> None:
    assert office_name(typed) == stored


def test_names_equal_after_normalisation_and_case_are_the_same_name() -> None:
    assert (
        name_key("BERLIN  office") == name_key("Ｂｅｒｌｉｎ Office") == name_key("berlin office")
    )
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Berlin") != name_key("Bern")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "Ber\u200blin",
            "The office name holds a character that does not show, U+200B ZERO WIDTH SPACE, "
            "after “Ber”. Type the name again instead of pasting it, without that character.",
        ),
        (
            "\u202eBerlin",
            "The office name holds a character that does not show, U+202E RIGHT-TO-LEFT "
            "OVERRIDE, at its start. Type the name again instead of pasting it, without that "
            "character.",
        ),
        (
            "Sales\u200dTeam",
            "The office name holds a character that does not show, U+200D ZERO WIDTH JOINER, "
            "after “Sales”. Type the name again instead of pasting it, without that character.",
        ),
        (
            "Bell\u0007",
            "The office name holds a character that does not show, U+0007, after “Bell”. "
            "Type the name again instead of pasting it, without that character.",
        ),
        (
            "Lab \ue000",
            "The office name holds a character that does not show, U+E000, after “Lab ”. "
            "Type the name again instead of pasting it, without that character.",
        ),
    ],
)
def test_a_name_with_a_character_that_does_not_show_is_refused_naming_it(
    typed: str, message: str
) -> None:
    with pytest.raises(errors.OfficeNameHiddenCharacter) as refused:
        office_name(typed)
    assert refused.value.message == message


def test_latin_mixed_with_cyrillic_look_alikes_is_refused_naming_the_odd_letter() -> None:
    with pytest.raises(errors.OfficeNameMixedAlphabets) as refused:
        office_name("B\u0435rlin")  # a Cyrillic "е"
    assert refused.value.message == (
        "“B\u0435rlin” mixes Latin and Cyrillic letters, which can look the same: “\u0435” is "
        "U+0435 CYRILLIC SMALL LETTER IE. Type the name again in one alphabet."
    )


def test_a_latin_letter_among_cyrillic_ones_is_the_one_named() -> None:
    with pytest.raises(errors.OfficeNameMixedAlphabets) as refused:
        office_name("Моск\u0061")  # "Москва" ending in a Latin "a"
    assert "mixes Cyrillic and Latin letters" in refused.value.message
    assert "“a” is U+0061 LATIN SMALL LETTER A" in refused.value.message


def test_latin_mixed_with_greek_look_alikes_is_refused() -> None:
    with pytest.raises(errors.OfficeNameMixedAlphabets, match="GREEK SMALL LETTER OMICRON"):
        office_name("L\u03bfndon")


def test_a_name_of_75_characters_is_kept_and_one_of_76_refused() -> None:
    assert office_name("x" * MAX_OFFICE_NAME) == "x" * 75
    with pytest.raises(errors.OfficeNameTooLong) as refused:
        office_name("Regional Office " * 5)
    assert refused.value.message == (
        "“Regional Office Regi…” is 79 characters long, and an office name can have at most 75 "
        "(Slack shows no more in a list). Pick a shorter name."
    )


def test_a_name_whose_comparison_form_would_not_fit_is_refused_as_too_long() -> None:
    with pytest.raises(errors.OfficeNameTooLong):
        office_name("ß" * 41)  # "ss" × 41 is longer than the stored key can be


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(errors.OfficeNameMissing):
        office_name(" \t ")


@given(st.text(max_size=100))
def test_a_name_is_kept_as_typed_up_to_its_form_and_spacing_or_refused(text: str) -> None:
    """No character is ever dropped without a word: what is stored is the typed name in NFKC
    with its white space made single spaces."""
    try:
        name = office_name(text)
    except errors.InvalidOfficeName as refused:
        assert refused.message
    else:
        assert name == " ".join(unicodedata.normalize("NFKC", text).split())
        assert 1 <= len(name) <= MAX_OFFICE_NAME
