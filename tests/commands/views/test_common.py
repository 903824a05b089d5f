"""Money, counts and names as every surface shows them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from slack_sdk.models.views import View

from commands.carried import SeatPreset
from commands.parsing.slash_text import LicenseCommand
from commands.views.common import clip, money, plural
from commands.views.people import people_entry_modal
from commands.views.seats import seats_entry_modal
from licensing.catalog import load_catalog


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


def test_text_longer_than_a_limit_is_cut_with_an_ellipsis() -> None:
    assert clip("Berlin", 6) == "Berlin"
    assert clip("Berlin Office", 6) == "Berli…"


LONG = "Regional Office for Northern Germany, Schleswig-Holstein and Hamburg, est. 1990."


def _options(view: View) -> list[dict[str, str]]:
    office = next(b for b in view.to_dict()["blocks"] if b["block_id"] == "office")
    return [{"text": o["text"]["text"], "value": o["value"]} for o in office["element"]["options"]]


def test_an_office_name_longer_than_slack_shows_is_cut_in_the_list_and_kept_in_the_value() -> None:
    """Names were once allowed up to 80 characters; Slack refuses an option text over 75."""
    assert len(LONG) == 80
    catalog = load_catalog()
    for view in (
        seats_entry_modal("buy", catalog, ["Main", LONG], SeatPreset(office=LONG)),
        people_entry_modal("assign", catalog, ["Main", LONG], LicenseCommand("assign"), "C1"),
    ):
        view.validate_json()
        assert _options(view)[1] == {"text": LONG[:74] + "…", "value": LONG}


def test_a_product_name_longer_than_slack_shows_is_cut_in_the_list() -> None:
    catalog = load_catalog()
    talk = catalog.products[0].model_copy(update={"name": "T" * 80})
    long_catalog = catalog.model_copy(update={"products": (talk, *catalog.products[1:])})
    view = seats_entry_modal("buy", long_catalog, ["Main"], SeatPreset())
    view.validate_json()


def test_the_modal_chooses_the_office_given_else_the_default_else_the_first() -> None:
    catalog = load_catalog()
    offices = ["Main", "Berlin"]

    def chosen(view: View) -> str:
        office = next(b for b in view.to_dict()["blocks"] if b["block_id"] == "office")
        return str(office["element"]["initial_option"]["value"])

    assert chosen(seats_entry_modal("buy", catalog, offices, SeatPreset(office="Main"))) == "Main"
    assert chosen(seats_entry_modal("buy", catalog, offices, SeatPreset(), None, "Berlin")) == (
        "Berlin"
    )
    assert chosen(seats_entry_modal("buy", catalog, ["Headquarters"], SeatPreset())) == (
        "Headquarters"
    )
