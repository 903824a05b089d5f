"""The products that can be bought, loaded from a TOML file and validated at start-up."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from licensing.calendar import Interval, ProrationMode
from licensing.errors import CatalogError
from licensing.money import ISO_4217_MINOR_UNITS

Price = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]


class ProductKind(StrEnum):
    LICENSE = "license"
    ADD_ON = "add_on"


class Product(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    name: Annotated[str, Field(min_length=1, max_length=80)]
    kind: ProductKind
    monthly_price: Price
    annual_price: Price
    requires: str | None = None

    @model_validator(mode="after")
    def _add_ons_and_only_add_ons_require_a_license(self) -> Self:
        if self.kind is ProductKind.ADD_ON and self.requires is None:
            raise ValueError(f"add-on {self.id!r} must name the license it requires")
        if self.kind is ProductKind.LICENSE and self.requires is not None:
            raise ValueError(f"license {self.id!r} cannot require another product")
        return self

    def unit_price(self, interval: Interval) -> Decimal:
        return self.monthly_price if interval == Interval.MONTH else self.annual_price


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    proration: ProrationMode = ProrationMode.SECONDS
    products: tuple[Product, ...]

    @field_validator("currency")
    @classmethod
    def _an_active_iso_4217_currency(cls, currency: str) -> str:
        if currency not in ISO_4217_MINOR_UNITS:
            raise ValueError(
                f"unknown currency {currency!r}: the catalog's prices must be in an active "
                "ISO 4217 currency that has a minor unit, such as USD, EUR or JPY"
            )
        return currency

    @field_validator("products")
    @classmethod
    def _at_least_one_product(cls, products: tuple[Product, ...]) -> tuple[Product, ...]:
        # Not Field(min_length=1): on a tuple, pydantic then also reports "at least 1 item …
        # not 0" whenever a product is invalid, which misleads about a one-product catalog.
        if not products:
            raise ValueError("the catalog needs at least one product")
        return products

    @model_validator(mode="after")
    def _ids_unique_and_requirements_known(self) -> Self:
        ids = [product.id for product in self.products]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"product ids must be unique; repeated: {', '.join(duplicates)}")
        licenses = {p.id for p in self.products if p.kind is ProductKind.LICENSE}
        for product in self.products:
            if product.requires is not None and product.requires not in licenses:
                raise ValueError(
                    f"add-on {product.id!r} requires {product.requires!r}, which is not a license here"
                )
        return self

    def name_of(self, product_id: str) -> str:
        """The display name of a product, or its id if it left the catalog."""
        product = self.get(product_id)
        return product.name if product else product_id

    def get(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def find(self, text: str) -> Product | None:
        """A product by id or display name, case-insensitively."""
        wanted = text.strip().casefold()
        return next(
            (p for p in self.products if wanted in (p.id.casefold(), p.name.casefold())), None
        )


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file; the shipped default when `path` is None."""
    if path is None:
        text = resources.files("licensing").joinpath("default_catalog.toml").read_text("utf-8")
        source = "default catalog"
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise CatalogError(f"cannot read catalog {path}: {exc.strerror}") from exc
        source = str(path)
    try:
        return Catalog.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise CatalogError(f"{source}: {_describe(exc)}") from exc


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        )
        problems.append(f"{where.lstrip('.') or 'catalog'}: {item['msg']}")
    return "; ".join(problems)
