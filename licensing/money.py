"""Money as an exact decimal amount with its currency; the one place amounts are rounded."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor

# ISO 4217 minor units of the currencies whose exponent is not 2.
_MINOR_UNIT_EXCEPTIONS = {
    "BHD": 3,
    "CLP": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
}


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency's smallest unit has (USD: 2, JPY: 0)."""
    return _MINOR_UNIT_EXCEPTIONS.get(currency, 2)


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    @classmethod
    def rounded(cls, amount: Decimal | Fraction, currency: str) -> Money:
        """Round once to the currency's minor unit, half up (ties away from zero), exactly."""
        exponent = minor_unit_exponent(currency)
        scaled = abs(Fraction(amount)) * 10**exponent
        minor = floor(scaled + Fraction(1, 2))
        return cls.from_minor(minor if amount >= 0 else -minor, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
        return cls(
            Decimal(minor).scaleb(-minor_unit_exponent(currency)).quantize(quantum), currency
        )

    def to_minor(self) -> int:
        """The amount in minor units; the amount must already be rounded."""
        scaled = self.amount.scaleb(minor_unit_exponent(self.currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{self} is not rounded to the minor unit of {self.currency}")
        return int(scaled)

    def __add__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount:.{minor_unit_exponent(self.currency)}f} {self.currency}"

    def _check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")


def total(amounts: list[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
