"""The billing contact: each field checked as typed, card data refused in all of them."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from licensing import orm
from licensing.contact import billing_contact, one_line
from licensing.errors import BillingContactInvalid, CardNumberInText, NotAllowed
from licensing.payments import BillingContact
from licensing.requests import SetBillingContact
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from tests.conftest import OWNER
from tests.licensing.helpers import ledger_events, member


def test_a_contact_is_tidied_as_people_type_it() -> None:
    contact = billing_contact(
        "  Acme   Ltd ", " billing@acme.example ", "1 Main St\n\nLondon ", "gb 123.456.789"
    )
    assert contact == BillingContact(
        company="Acme Ltd",
        email="billing@acme.example",
        address="1 Main St\nLondon",
        vat_id="GB123456789",
    )
    assert one_line(contact) == "Acme Ltd, 1 Main St, London, VAT GB123456789, billing@acme.example"


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        (("", "a@b.example"), "company", "Enter the company name"),
        (("x" * 101, "a@b.example"), "company", "at most 100 characters"),
        (("Acme", "billing"), "email", "Enter the e-mail address"),
        (("Acme", "billing@acme"), "email", "Enter the e-mail address"),
        (("Acme", "a b@acme.example"), "email", "Enter the e-mail address"),
        (("Acme", "a@b.example", "x" * 301), "address", "at most 300 characters"),
        (("Acme", "a@b.example", "", "123456789"), "vat_id", "country's two letters"),
    ],
)
def test_a_field_that_cannot_be_used_is_refused_by_name(
    fields: tuple[str, ...], field: str, said: str
) -> None:
    with pytest.raises(BillingContactInvalid, match=said) as refused:
        billing_contact(*fields)
    assert refused.value.field == field


@pytest.mark.parametrize("field", range(4))
def test_card_data_in_any_field_is_refused(field: int) -> None:
    fields = ["Acme", "a@b.example", "", ""]
    fields[field] = "4242 4242 4242 4242"
    with pytest.raises(CardNumberInText):
        billing_contact(*fields)


def test_a_company_admin_saves_the_contact_and_nothing_else_may(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    request = SetBillingContact(
        company="Acme Ltd", email="billing@acme.example", vat_id="GB123456789"
    )
    with pytest.raises(NotAllowed):
        service.handle(account, member("U2"), request)
    service.handle(account, OWNER, request)
    with Session(engine) as session:
        row = session.scalars(select(orm.Account)).one()
        assert (
            row.billing_company,
            row.billing_email,
            row.billing_vat_id,
            row.billing_address,
        ) == (
            "Acme Ltd",
            "billing@acme.example",
            "GB123456789",
            None,
        )
        assert row.billing_details == "Acme Ltd, VAT GB123456789, billing@acme.example"
    assert ledger_events(engine)[-1] == "billing_details_updated"


def test_a_refused_contact_changes_nothing(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    with pytest.raises(CardNumberInText):
        service.handle(
            account, OWNER, SetBillingContact(company="4242424242424242", email="a@b.example")
        )
    with Session(engine) as session:
        assert session.scalars(select(orm.Account.billing_company)).one() is None
    assert ledger_events(engine) == ["trial_started"]
