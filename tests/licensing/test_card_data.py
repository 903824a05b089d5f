"""Card data in free text: card-like numbers (13 to 19 digits, maybe spaced or dashed, that
pass the Luhn check) and card security codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licensing.card_data import holds_card_data, luhn_valid, masked

SEPARATORS = st.sampled_from(["", "", " ", "-", "  ", " - ", "\u2013"])
AROUND = st.sampled_from(["", "card ", "Visa: ", "pay with ", "(", "Acme Ltd, "])
AFTER = st.sampled_from(["", " thanks", ", exp 12/28", ".", ")", " - Acme"])


def check_digit(payload: str) -> str:
    """The digit that makes `payload` + it pass the Luhn check."""
    return next(d for d in "0123456789" if luhn_valid(payload + d))


@st.composite
def card_numbers(draw: st.DrawFn, valid: bool = True) -> tuple[str, str]:
    """A number of 13 to 19 digits, Luhn-valid or not, and how it is written: its digits
    with spaces or dashes drawn between them."""
    length = draw(st.integers(13, 19))
    payload = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    last = check_digit(payload)
    if not valid:
        last = draw(st.sampled_from([d for d in "0123456789" if d != last]))
    digits = payload + last
    written = digits[0] + "".join(draw(SEPARATORS) + digit for digit in digits[1:])
    return digits, written


@given(card_numbers(), AROUND, AFTER)
def test_every_luhn_valid_number_of_13_to_19_digits_is_card_data_however_it_is_spaced(
    number: tuple[str, str], before: str, after: str
) -> None:
    assert holds_card_data(before + number[1] + after)


@given(card_numbers(valid=False), AROUND, AFTER)
def test_a_number_that_fails_the_luhn_check_is_not_a_card(
    number: tuple[str, str], before: str, after: str
) -> None:
    assert not holds_card_data(before + number[1] + after)


@given(card_numbers(), AROUND, AFTER)
def test_a_masked_card_number_keeps_only_its_last_four_digits(
    number: tuple[str, str], before: str, after: str
) -> None:
    digits, written = number
    text = masked(before + written + after)
    assert text == f"{before}•••• {digits[-4:]}{after}"
    assert not holds_card_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        "Visa 4111111111111111 exp 12/28",
        "amex 3782 822463 10005",
        "４２４２４２４２４２４２４２４２",  # full-width digits
    ],
)
def test_card_numbers_as_people_write_them_are_card_data(text: str) -> None:
    assert holds_card_data(text)


@pytest.mark.parametrize(
    "text",
    ["CVC 123", "cvv: 123", "security code 123", "CVV2 0123", "Security-Code: 123", "cvc"],
)
def test_naming_a_card_security_code_is_card_data(text: str) -> None:
    assert holds_card_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "Visa ending 4242",
        "Invoice INV-2024-000123",
        "PO 4500012345",
        "VAT DE123456789",
        "VAT GB 123 4567 89",
        "VAT DE123456789, 10115 Berlin",
        "+1 (415) 555-0100",
        "+44 20 7946 0958",
        "Acme Ltd, 1 Main St, London EC1A 1BB, billing@acme.example",
        "CVS Pharmacy, 1 CVS Drive",
    ],
)
def test_billing_details_without_card_data_are_not_card_data(text: str) -> None:
    assert not holds_card_data(text)
    assert masked(text) == text


def test_masking_keeps_the_rest_of_the_text_and_hides_a_security_code() -> None:
    assert masked("Visa 4242 4242 4242 4242 exp 12/28, cvc 123; Acme Ltd") == (
        "Visa •••• 4242 exp 12/28, cvc •••; Acme Ltd"
    )
