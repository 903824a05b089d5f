"""Card data, which licensebot never takes in Slack nor keeps: card-like numbers and card
security codes, found in free text.

A card-like number is 13 to 19 digits, maybe separated by spaces or dashes, that pass the
Luhn check. It stands on its own: a run of digits glued to a letter or another digit (a VAT
id such as DE123456789) is not one, so a VAT id followed by a postcode is not read as a card.
"""

from __future__ import annotations

import re

# Digits are any decimal digits (full-width ones too), separated by spaces or dashes.
DIGIT_RUN = re.compile(r"(?<![^\W_])\d(?:[\s\-\u2010-\u2015]*\d)*(?![^\W_])")
SECURITY_CODE_LABEL = r"(?<![a-z])(?:cvc|cvv)2?(?![a-z])|security[\s_-]*code"
SECURITY_CODE = re.compile(rf"({SECURITY_CODE_LABEL})(\W{{0,3}})\d{{3,4}}", re.IGNORECASE)
MASK = "••••"


def holds_card_data(text: str) -> bool:
    """Whether `text` holds a card-like number or names a card security code (CVC, CVV)."""
    if re.search(SECURITY_CODE_LABEL, text, re.IGNORECASE):
        return True
    return any(_is_card_number(_digits(run.group())) for run in DIGIT_RUN.finditer(text))


def masked(text: str) -> str:
    """`text` with every card-like number replaced by its last 4 digits (`•••• 4242`) and
    every security code after its label by `•••`."""
    numbers_masked = DIGIT_RUN.sub(_mask_card_number, text)
    return SECURITY_CODE.sub(lambda code: f"{code[1]}{code[2]}•••", numbers_masked)


def luhn_valid(digits: str) -> bool:
    """The check digit of card numbers: from the right, every second digit doubled (less 9
    if over 9); the sum is a multiple of 10."""
    total = 0
    for place, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if place % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(run: str) -> str:
    return "".join(str(int(char)) for char in run if char.isdecimal())


def _is_card_number(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _mask_card_number(run: re.Match[str]) -> str:
    digits = _digits(run.group())
    return f"{MASK} {digits[-4:]}" if _is_card_number(digits) else run.group()
