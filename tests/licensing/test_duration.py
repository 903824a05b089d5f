"""Durations for moving the test clock: `10d`, `1w2d`, `36h`, `90m`, `30s` and sums of them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licensing.clock import ClockError, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10d", timedelta(days=10)),
        ("1w", timedelta(weeks=1)),
        ("1w2d", timedelta(days=9)),
        ("36h", timedelta(hours=36)),
        ("90m", timedelta(minutes=90)),
        ("30s", timedelta(seconds=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("2w3d4h5m6s", timedelta(weeks=2, days=3, hours=4, minutes=5, seconds=6)),
        ("0s", timedelta(0)),
    ],
)
def test_a_duration_is_the_sum_of_its_parts(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  10d  ", timedelta(days=10)),
        ("10D", timedelta(days=10)),
        ("1D12H", timedelta(days=1, hours=12)),
        ("1d 12h", timedelta(days=1, hours=12)),
        ("10 d", timedelta(days=10)),
    ],
)
def test_spaces_and_capitals_are_accepted(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_a_repeated_unit_is_added_up() -> None:
    assert parse_duration("1h1h") == timedelta(hours=2)


@pytest.mark.parametrize(
    "text", ["", "   ", "10", "ten days", "5y", "d", "1.5d", "-5d", "10d and 2h", "1d12"]
)
def test_text_that_is_not_a_duration_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ClockError) as refused:
        parse_duration(text)
    assert refused.value.message == (
        f"“{text}” is not a duration. Use forms like 10d, 36h, 1w2d or 90m."
    )
