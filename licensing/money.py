"""Money as an exact decimal amount with its currency; the one place amounts are rounded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor
from types import MappingProxyType

# ISO 4217 list one: every active currency code with its minor unit (the number of decimal
# places of its smallest unit), as the list stood at the end of 2025. Codes that list one gives
# no minor unit (gold, silver, platinum, palladium, the SDR, the bond-market units XBA to XBD,
# the SUCRE, the ADB unit of account, the testing code XTS and "no currency" XXX) are left out
# so that nothing can be billed in them; so are withdrawn codes such as ANG (replaced by XCG in
# 2025), CUC (withdrawn in 2025), HRK (replaced by EUR), SLL (by SLE) and ZWL (by ZWG). The
# fund codes that have a minor unit (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW, XAD) are in.
# BGN is still in: it leaves the list when Bulgaria takes up the euro on 1 January 2026.
# fmt: off
ISO_4217_MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {
        "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
        "BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2,
        "BOV": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2,
        "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4, "CLP": 0, "CNY": 2, "COP": 2, "COU": 2, "CRC": 2,
        "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2,
        "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
        "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2,
        "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2,
        "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2,
        "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2,
        "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2, "MVR": 2, "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2,
        "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2,
        "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2,
        "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2,
        "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
        "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2,
        "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2, "VED": 2, "VES": 2,
        "VND": 0, "VUV": 0, "WST": 2, "XAD": 2, "XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0,
        "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
    }
)
# fmt: on


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency's smallest unit has (USD: 2, JPY: 0, CLF: 4)."""
    try:
        return ISO_4217_MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(
            f"unknown currency {currency!r}: not an active ISO 4217 code with a minor unit"
        ) from None


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    @classmethod
    def total(cls, amounts: Iterable[Decimal], currency: str) -> Money:
        """The sum of amounts already rounded to the currency's minor unit, added exactly."""
        return cls.from_minor(sum(cls(a, currency).to_minor() for a in amounts), currency)

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

    def __str__(self) -> str:
        return f"{self.amount:.{minor_unit_exponent(self.currency)}f} {self.currency}"
