"""Who invoices name: a company, a billing e-mail, and optionally an address and a VAT id,
checked as a company admin types them. Card data is refused in every field."""

from __future__ import annotations

import re

from licensing import names
from licensing.card_data import holds_card_data
from licensing.errors import BillingContactInvalid, CardNumberInText
from licensing.payments import BillingContact

MAX_COMPANY, MAX_EMAIL, MAX_ADDRESS = 100, 254, 300
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
# Two letters of the country (EL for Greece, XI for Northern Ireland), then 2 to 13 letters
# and digits: the shape of every VAT number in use, as it is written without spaces or dots.
VAT_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{2,13}")


def billing_contact(
    company: str, email: str, address: str = "", vat_id: str = ""
) -> BillingContact:
    """The contact to store, tidied, or a refusal naming the field to correct."""
    for text in (company, email, address, vat_id):
        if holds_card_data(text):
            raise CardNumberInText()
    company, email = names.tidy(company), email.strip()
    address = "\n".join(names.tidy(line) for line in address.splitlines() if line.strip())
    vat_id = re.sub(r"[\s.\-]", "", vat_id).upper()
    if not company:
        raise BillingContactInvalid("company", "Enter the company name invoices are made out to.")
    if len(company) > MAX_COMPANY:
        raise BillingContactInvalid("company", f"Use at most {MAX_COMPANY} characters.")
    if len(email) > MAX_EMAIL or not EMAIL.fullmatch(email):
        raise BillingContactInvalid(
            "email", "Enter the e-mail address invoices go to, such as billing@acme.example."
        )
    if len(address) > MAX_ADDRESS:
        raise BillingContactInvalid("address", f"Use at most {MAX_ADDRESS} characters.")
    if vat_id and not VAT_ID.fullmatch(vat_id):
        raise BillingContactInvalid(
            "vat_id", "A VAT id is the country's two letters and then its number: GB123456789."
        )
    return BillingContact(company=company, email=email, address=address, vat_id=vat_id)


def one_line(contact: BillingContact) -> str:
    """`Acme Ltd, 1 Main St, London, VAT GB123456789, billing@acme.example`."""
    parts = [contact.company, *contact.address.splitlines()]
    if contact.vat_id:
        parts.append(f"VAT {contact.vat_id}")
    return ", ".join([*parts, contact.email])
