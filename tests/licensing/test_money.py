"""Money: exact amounts, rounded once to the currency's minor unit, half up (rule 9)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licensing.money import ISO_4217_MINOR_UNITS, Money, minor_unit_exponent

CURRENCIES = sorted(ISO_4217_MINOR_UNITS)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0.125"), Decimal("0.13")),  # a tie rounds up, not to even (0.12)
        (Decimal("0.135"), Decimal("0.14")),
        (Decimal("2.675"), Decimal("2.68")),  # as a float 2.675 is 2.67499…; Decimal is exact
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.0049999"), Decimal("0.00")),
        (Decimal("19.2849999999"), Decimal("19.28")),
        (Decimal("7.525"), Decimal("7.53")),
        (Decimal("15"), Decimal("15.00")),
        (Decimal("-0.125"), Decimal("-0.13")),  # ties go away from zero on both sides
        (Decimal("-2.675"), Decimal("-2.68")),
        (Decimal("-0.0049"), Decimal("0.00")),
    ],
)
def test_a_decimal_is_rounded_to_cents_exactly_half_up(amount: Decimal, expected: Decimal) -> None:
    assert Money.rounded(amount, "USD") == Money(expected, "USD")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Fraction(1, 8), Decimal("0.13")),  # 0.125, a tie
        (Fraction(1, 200), Decimal("0.01")),  # 0.005, a tie
        (Fraction(540, 28), Decimal("19.29")),  # 19.2857…
        (Fraction(540, 31), Decimal("17.42")),  # 17.4193…
        (Fraction(1, 3), Decimal("0.33")),
        (Fraction(2, 3), Decimal("0.67")),
        (Fraction(-1, 8), Decimal("-0.13")),
        (Fraction(-1, 3), Decimal("-0.33")),
    ],
)
def test_a_fraction_is_rounded_to_cents_exactly_half_up(
    amount: Fraction, expected: Decimal
) -> None:
    assert Money.rounded(amount, "USD") == Money(expected, "USD")


def test_a_fraction_a_hair_below_a_tie_rounds_down_and_a_hair_above_rounds_up() -> None:
    tie = Fraction(5, 1000)
    hair = Fraction(1, 10**30)
    assert Money.rounded(tie - hair, "USD").amount == Decimal("0.00")
    assert Money.rounded(tie, "USD").amount == Decimal("0.01")
    assert Money.rounded(tie + hair, "USD").amount == Decimal("0.01")


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("USD", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)],
)
def test_each_currency_has_its_iso_minor_unit(currency: str, exponent: int) -> None:
    assert minor_unit_exponent(currency) == exponent


ZERO_DECIMALS = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX"]
ZERO_DECIMALS += ["UYI", "VND", "VUV", "XAF", "XOF", "XPF"]
THREE_DECIMALS = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
FOUR_DECIMALS = ["CLF", "UYW"]


def test_the_table_knows_exactly_these_currencies_without_two_decimals() -> None:
    by_exponent: dict[int, list[str]] = {}
    for code, exponent in ISO_4217_MINOR_UNITS.items():
        by_exponent.setdefault(exponent, []).append(code)
    assert sorted(by_exponent) == [0, 2, 3, 4]
    assert sorted(by_exponent[0]) == ZERO_DECIMALS
    assert sorted(by_exponent[3]) == THREE_DECIMALS
    assert sorted(by_exponent[4]) == FOUR_DECIMALS


@pytest.mark.parametrize(
    "currency",
    [
        *["USD", "EUR", "GBP", "CHF", "CAD", "AUD", "CNY", "INR", "BRL", "MXN", "ZAR", "SEK"],
        *["SLE", "VES", "VED", "ZWG", "XCG", "STN", "MRU", "BOV", "CHE", "CHW", "COU", "MXV"],
        *["USN", "XAD", "XCD", "IDR", "HUF", "TWD", "COP", "UZS", "IRR", "KPW", "MGA", "BGN"],
    ],
)
def test_currencies_with_cents_have_two_decimals(currency: str) -> None:
    assert minor_unit_exponent(currency) == 2


@pytest.mark.parametrize("currency", CURRENCIES)
def test_every_code_in_the_table_is_three_capital_letters(currency: str) -> None:
    assert len(currency) == 3
    assert currency.isascii()
    assert currency.isupper()
    assert currency.isalpha()


def test_the_table_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        ISO_4217_MINOR_UNITS["ABC"] = 2  # type: ignore[index]
    assert "ABC" not in ISO_4217_MINOR_UNITS


@pytest.mark.parametrize(
    "currency",
    [
        # no minor unit in ISO 4217: precious metals, the SDR, bond-market and other units
        *["XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA"],
        *["XTS", "XXX"],
        # withdrawn
        *["HRK", "SLL", "ZWL", "ANG", "CUC", "VEF", "MRO", "STD", "LTL", "EEK", "BYR", "DEM"],
        # never assigned, or not a code at all
        *["ABC", "QQQ", "usd", "US", "USDD", ""],
    ],
)
def test_a_currency_outside_the_table_is_refused(currency: str) -> None:
    assert currency not in ISO_4217_MINOR_UNITS
    with pytest.raises(ValueError, match=f"unknown currency {currency!r}: not an active ISO 4217"):
        minor_unit_exponent(currency)
    with pytest.raises(ValueError, match="unknown currency"):
        Money.rounded(Decimal("1"), currency)
    with pytest.raises(ValueError, match="unknown currency"):
        Money.from_minor(1, currency)
    with pytest.raises(ValueError, match="unknown currency"):
        Money.zero(currency)
    with pytest.raises(ValueError, match="unknown currency"):
        Money(Decimal("1"), currency).to_minor()


def test_yen_are_rounded_to_whole_yen_half_up() -> None:
    assert Money.rounded(Decimal("1234.5"), "JPY") == Money(Decimal("1235"), "JPY")
    assert Money.rounded(Decimal("1234.4999"), "JPY") == Money(Decimal("1234"), "JPY")
    assert Money.rounded(Fraction(5, 2), "JPY").amount == Decimal("3")  # not 2 (half even)
    assert str(Money.rounded(Decimal("1500"), "JPY")) == "1500 JPY"


def test_dinars_are_rounded_to_three_places_half_up() -> None:
    assert Money.rounded(Decimal("1.2345"), "KWD") == Money(Decimal("1.235"), "KWD")
    assert Money.rounded(Fraction(1, 3), "KWD").amount == Decimal("0.333")
    assert str(Money.rounded(Decimal("2"), "KWD")) == "2.000 KWD"


@pytest.mark.parametrize("currency", ["XPF", "BIF"])
def test_francs_without_centimes_are_rounded_to_whole_units_half_up(currency: str) -> None:
    assert Money.rounded(Decimal("1234.5"), currency) == Money(Decimal("1235"), currency)
    assert Money.rounded(Decimal("1234.4999"), currency) == Money(Decimal("1234"), currency)
    assert Money.rounded(Decimal("-0.5"), currency) == Money(Decimal("-1"), currency)
    assert Money.rounded(Fraction(5, 2), currency).amount == Decimal("3")  # not 2 (half even)
    assert Money.rounded(Decimal("99.99"), currency).amount.as_tuple().exponent == 0
    assert str(Money.rounded(Decimal("1500"), currency)) == f"1500 {currency}"
    assert Money.from_minor(1500, currency).to_minor() == 1500


@pytest.mark.parametrize("currency", ["CLF", "UYW"])
def test_units_of_account_are_rounded_to_four_places_half_up(currency: str) -> None:
    assert Money.rounded(Decimal("1.23455"), currency) == Money(Decimal("1.2346"), currency)
    assert Money.rounded(Decimal("1.23445"), currency) == Money(Decimal("1.2345"), currency)
    assert Money.rounded(Decimal("1.2344999"), currency) == Money(Decimal("1.2345"), currency)
    assert Money.rounded(Decimal("-1.23455"), currency) == Money(Decimal("-1.2346"), currency)
    assert Money.rounded(Fraction(1, 3), currency).amount == Decimal("0.3333")
    assert Money.rounded(Fraction(2, 3), currency).amount == Decimal("0.6667")
    assert str(Money.rounded(Decimal("2"), currency)) == f"2.0000 {currency}"
    assert Money.from_minor(12346, currency) == Money(Decimal("1.2346"), currency)
    assert Money(Decimal("1.2346"), currency).to_minor() == 12346
    with pytest.raises(ValueError, match=f"not rounded to the minor unit of {currency}"):
        Money(Decimal("1.23455"), currency).to_minor()


def test_kuwaiti_dinars_are_rounded_to_fils_half_up() -> None:
    assert Money.rounded(Decimal("0.0005"), "KWD") == Money(Decimal("0.001"), "KWD")
    assert Money.rounded(Decimal("0.0004999"), "KWD") == Money(Decimal("0.000"), "KWD")
    assert Money.rounded(Decimal("-1.2345"), "KWD") == Money(Decimal("-1.235"), "KWD")
    assert Money.rounded(Fraction(2, 3), "KWD").amount == Decimal("0.667")
    assert Money.from_minor(1, "KWD") == Money(Decimal("0.001"), "KWD")
    with pytest.raises(ValueError, match="not rounded to the minor unit of KWD"):
        Money(Decimal("1.2345"), "KWD").to_minor()


def test_a_rounded_amount_carries_exactly_the_minor_unit_places() -> None:
    assert Money.rounded(Decimal("15"), "USD").amount.as_tuple().exponent == -2
    assert Money.rounded(Decimal("15"), "KWD").amount.as_tuple().exponent == -3
    assert Money.rounded(Decimal("15.4"), "JPY").amount.as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [
        (1929, "USD", Decimal("19.29")),
        (5, "USD", Decimal("0.05")),
        (-1929, "USD", Decimal("-19.29")),
        (1500, "JPY", Decimal("1500")),
        (1235, "KWD", Decimal("1.235")),
    ],
)
def test_minor_units_convert_both_ways(minor: int, currency: str, amount: Decimal) -> None:
    money = Money.from_minor(minor, currency)
    assert money == Money(amount, currency)
    assert money.to_minor() == minor


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(CURRENCIES),
)
def test_any_count_of_minor_units_survives_a_round_trip(minor: int, currency: str) -> None:
    money = Money.from_minor(minor, currency)
    assert money.amount.as_tuple().exponent == -minor_unit_exponent(currency)
    assert money.to_minor() == minor
    assert Money.rounded(money.amount, currency) == money


@pytest.mark.parametrize("currency", CURRENCIES)
def test_every_currency_in_the_table_round_trips_its_smallest_unit(currency: str) -> None:
    smallest = Money.from_minor(1, currency)
    assert smallest.amount == Decimal(1).scaleb(-minor_unit_exponent(currency))
    assert smallest.to_minor() == 1
    assert Money.zero(currency).to_minor() == 0


@given(
    amount=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=8
    ),
    currency=st.sampled_from(CURRENCIES),
)
def test_rounding_moves_an_amount_by_at_most_half_a_minor_unit(
    amount: Decimal, currency: str
) -> None:
    rounded = Money.rounded(amount, currency)
    unit = Fraction(1, 10 ** minor_unit_exponent(currency))
    error = Fraction(rounded.amount) - Fraction(amount)
    assert abs(error) <= unit / 2
    if abs(error) == unit / 2:  # a tie goes away from zero
        assert abs(rounded.amount) > abs(amount)
    assert rounded.amount.as_tuple().exponent == -minor_unit_exponent(currency)


def test_an_amount_finer_than_the_minor_unit_has_no_minor_units() -> None:
    with pytest.raises(ValueError, match="not rounded to the minor unit of USD"):
        Money(Decimal("1.234"), "USD").to_minor()
    with pytest.raises(ValueError, match="not rounded to the minor unit of JPY"):
        Money(Decimal("1.5"), "JPY").to_minor()


def test_zero_prints_with_two_decimal_places() -> None:
    zero = Money.zero("USD")
    assert zero.amount == Decimal("0.00")
    assert f"{zero.amount}" == "0.00"
    assert str(zero) == "0.00 USD"


def test_an_amount_that_rounds_to_zero_prints_as_zero_not_minus_zero() -> None:
    assert str(Money.rounded(Decimal("-0.001"), "USD")) == "0.00 USD"
    assert str(Money.rounded(Fraction(-1, 1000), "USD")) == "0.00 USD"


def test_amounts_print_with_the_places_of_their_currency() -> None:
    assert str(Money(Decimal("19.29"), "USD")) == "19.29 USD"
    assert str(Money(Decimal("19.5"), "USD")) == "19.50 USD"
    assert str(Money.zero("JPY")) == "0 JPY"
    assert str(Money.zero("KWD")) == "0.000 KWD"


def test_a_total_adds_rounded_amounts_exactly_in_the_currency_format() -> None:
    assert Money.total([Decimal("0.10")] * 3, "USD") == Money(Decimal("0.30"), "USD")
    assert str(Money.total([], "USD")) == "0.00 USD"
    assert str(Money.total([Decimal("1.0001"), Decimal("2")], "CLF")) == "3.0001 CLF"


def test_a_total_refuses_an_amount_that_was_never_rounded() -> None:
    with pytest.raises(ValueError, match="not rounded"):
        Money.total([Decimal("0.005")], "USD")
