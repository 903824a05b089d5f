"""The catalog: loaded from TOML, validated at start-up, with errors that name the field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from licensing.calendar import Interval, ProrationMode
from licensing.catalog import Catalog, ProductKind, load_catalog
from licensing.errors import CatalogError

TALK = """
[[products]]
id = "talk"
name = "Talk"
kind = "license"
monthly_price = "15.00"
annual_price = "150.00"
"""

MEETINGS = """
[[products]]
id = "meetings"
name = "Meetings"
kind = "license"
monthly_price = "20.00"
annual_price = "200.00"
"""


def add_on(product_id: str, requires: str | None) -> str:
    requirement = f'requires = "{requires}"\n' if requires is not None else ""
    return f"""
[[products]]
id = "{product_id}"
name = "{product_id.title()}"
kind = "add_on"
{requirement}monthly_price = "5.00"
annual_price = "50.00"
"""


def write(tmp_path: Path, *products: str, header: str = 'currency = "USD"\n') -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(header + "".join(products), "utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(CatalogError) as refused:
        load_catalog(path)
    return str(refused.value)


@pytest.fixture(scope="module")
def default() -> Catalog:
    return load_catalog()


# the default catalog


def test_the_default_catalog_loads_three_products_in_dollars_prorated_by_the_second(
    default: Catalog,
) -> None:
    assert default.currency == "USD"
    assert default.proration is ProrationMode.SECONDS
    assert [(p.id, p.name, p.kind) for p in default.products] == [
        ("talk", "Talk", ProductKind.LICENSE),
        ("meetings", "Meetings", ProductKind.LICENSE),
        ("recording", "Call Recording", ProductKind.ADD_ON),
    ]


def test_the_default_add_on_requires_the_talk_license(default: Catalog) -> None:
    recording = default.get("recording")
    assert recording is not None
    assert recording.requires == "talk"


def test_the_default_prices_are_exact_decimals(default: Catalog) -> None:
    talk = default.get("talk")
    assert talk is not None
    assert talk.monthly_price == Decimal("15.00")
    assert isinstance(talk.monthly_price, Decimal)
    assert talk.annual_price == Decimal("150.00")


# lookups


def test_unit_price_is_the_monthly_or_the_annual_price(default: Catalog) -> None:
    talk, meetings, recording = default.products
    assert (talk.unit_price(Interval.MONTH), talk.unit_price(Interval.YEAR)) == (
        Decimal("15.00"),
        Decimal("150.00"),
    )
    assert meetings.unit_price(Interval.MONTH) == Decimal("20.00")
    assert meetings.unit_price(Interval.YEAR) == Decimal("200.00")
    assert recording.unit_price(Interval.MONTH) == Decimal("5.00")
    assert recording.unit_price(Interval.YEAR) == Decimal("50.00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("talk", "talk"),
        ("TALK", "talk"),
        ("Talk", "talk"),
        ("  talk  ", "talk"),
        ("recording", "recording"),
        ("Call Recording", "recording"),
        ("call recording", "recording"),
        ("CALL RECORDING", "recording"),
        ("Meetings", "meetings"),
    ],
)
def test_find_matches_an_id_or_a_display_name_case_insensitively(
    default: Catalog, text: str, expected: str
) -> None:
    found = default.find(text)
    assert found is not None
    assert found.id == expected


@pytest.mark.parametrize("text", ["", "video", "tal", "Call", "talk meetings"])
def test_find_returns_nothing_for_an_unknown_product(default: Catalog, text: str) -> None:
    assert default.find(text) is None


def test_get_matches_the_exact_id_only(default: Catalog) -> None:
    assert default.get("talk") is not None
    assert default.get("Talk") is None
    assert default.get("Call Recording") is None


# a catalog file


def test_a_valid_file_loads_with_its_currency_and_proration(tmp_path: Path) -> None:
    path = write(
        tmp_path, TALK, add_on("recording", "talk"), header='currency = "EUR"\nproration = "days"\n'
    )
    catalog = load_catalog(path)
    assert catalog.currency == "EUR"
    assert catalog.proration is ProrationMode.DAYS
    assert [p.id for p in catalog.products] == ["talk", "recording"]


def test_proration_defaults_to_seconds(tmp_path: Path) -> None:
    assert load_catalog(write(tmp_path, TALK)).proration is ProrationMode.SECONDS


def test_a_bad_price_is_refused_naming_the_product_and_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS.replace('"20.00"', '"lots"'))
    assert refusal(path) == f"{path}: products[1].monthly_price: Input should be a valid decimal"


def test_a_negative_price_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS.replace('"200.00"', '"-1"'))
    assert refusal(path) == (
        f"{path}: products[1].annual_price: Input should be greater than or equal to 0"
    )


def test_a_bad_field_in_the_only_product_is_the_only_error_reported(tmp_path: Path) -> None:
    path = write(tmp_path, TALK.replace('"15.00"', '"lots"'))
    assert refusal(path) == f"{path}: products[0].monthly_price: Input should be a valid decimal"


def test_a_missing_field_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS.replace('name = "Meetings"\n', ""))
    assert refusal(path) == f"{path}: products[1].name: Field required"


def test_an_unknown_field_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS + 'colour = "red"\n')
    assert refusal(path) == f"{path}: products[1].colour: Extra inputs are not permitted"


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS.replace('"license"', '"bundle"'))
    assert refusal(path) == f"{path}: products[1].kind: Input should be 'license' or 'add_on'"


def test_an_id_with_spaces_or_capitals_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS.replace('id = "meetings"', 'id = "Big Meetings"'))
    assert refusal(path).startswith(f"{path}: products[1].id: String should match pattern")


def test_duplicate_ids_are_refused_naming_the_repeated_id(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, MEETINGS, TALK.replace('name = "Talk"', 'name = "Talk 2"'))
    assert refusal(path) == (
        f"{path}: catalog: Value error, product ids must be unique; repeated: talk"
    )


def test_an_add_on_without_a_required_license_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, add_on("recording", None))
    assert refusal(path) == (
        f"{path}: products[1]: Value error, add-on 'recording' must name the license it requires"
    )


def test_an_add_on_requiring_an_unknown_license_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, add_on("recording", "video"))
    assert refusal(path) == (
        f"{path}: catalog: Value error, add-on 'recording' requires 'video', "
        "which is not a license here"
    )


def test_an_add_on_requiring_another_add_on_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, add_on("recording", "talk"), add_on("transcripts", "recording"))
    assert refusal(path) == (
        f"{path}: catalog: Value error, add-on 'transcripts' requires 'recording', "
        "which is not a license here"
    )


def test_a_license_that_requires_a_product_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK.replace('kind = "license"', 'kind = "license"\nrequires = "talk"'))
    assert refusal(path) == (
        f"{path}: products[0]: Value error, license 'talk' cannot require another product"
    )


@pytest.mark.parametrize("currency", ["usd", "US", "USDD", "", "U$D"])
def test_a_currency_that_is_not_three_capital_letters_is_refused(
    tmp_path: Path, currency: str
) -> None:
    path = write(tmp_path, TALK, header=f'currency = "{currency}"\n')
    assert refusal(path) == f"{path}: currency: String should match pattern '^[A-Z]{{3}}$'"


@pytest.mark.parametrize(
    "currency",
    ["ABC", "QQQ", "XAU", "XAG", "XDR", "XTS", "XXX", "HRK", "SLL", "ZWL", "ANG", "CUC"],
)
def test_a_currency_that_is_not_an_active_iso_4217_currency_is_refused(
    tmp_path: Path, currency: str
) -> None:
    path = write(tmp_path, TALK, header=f'currency = "{currency}"\n')
    assert refusal(path) == (
        f"{path}: currency: Value error, unknown currency '{currency}': the catalog's prices "
        "must be in an active ISO 4217 currency that has a minor unit, such as USD, EUR or JPY"
    )


@pytest.mark.parametrize("currency", ["JPY", "XPF", "BIF", "KWD", "CLF", "UYW", "SLE", "ZWG"])
def test_a_catalog_in_any_active_iso_4217_currency_loads(tmp_path: Path, currency: str) -> None:
    assert load_catalog(write(tmp_path, TALK, header=f'currency = "{currency}"\n')).currency == (
        currency
    )


def test_a_missing_currency_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, header="")
    assert refusal(path) == f"{path}: currency: Field required"


def test_an_unknown_proration_mode_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, header='currency = "USD"\nproration = "hours"\n')
    assert refusal(path) == f"{path}: proration: Input should be 'seconds' or 'days'"


def test_a_catalog_without_products_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, header='currency = "USD"\nproducts = []\n')
    message = refusal(path)
    assert message.startswith(f"{path}: products: ")
    assert "at least 1" in message or "at least one" in message


def test_invalid_toml_is_refused_with_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, TALK, "monthly_price = \n")
    message = refusal(path)
    assert message.startswith(f"{path} is not valid TOML: ")
    assert "line 9" in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    assert refusal(path) == f"cannot read catalog {path}: No such file or directory"


def test_a_directory_is_not_a_catalog(tmp_path: Path) -> None:
    assert refusal(tmp_path).startswith(f"cannot read catalog {tmp_path}: ")
