"""Money and counts as every surface shows them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commands.views.common import money, plural


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal(0), "USD", "0.00 USD"),
        (Decimal("45"), "USD", "45.00 USD"),
        (Decimal("45.5"), "EUR", "45.50 EUR"),
        (Decimal("1234567.8"), "USD", "1,234,567.80 USD"),
        (Decimal("1200"), "JPY", "1,200 JPY"),
        (Decimal("1.5"), "KWD", "1.500 KWD"),
        (None, "USD", "—"),
    ],
)
def test_money_is_shown_in_the_currencys_own_places_with_separators(
    amount: Decimal | None, currency: str, shown: str
) -> None:
    assert money(amount, currency) == shown


def test_counts_are_singular_or_plural() -> None:
    assert [plural(n, "seat") for n in (0, 1, 2, 1000)] == [
        "0 seats",
        "1 seat",
        "2 seats",
        "1,000 seats",
    ]
