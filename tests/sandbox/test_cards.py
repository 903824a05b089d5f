"""`/card` in a session: the simulated provider's card page, declines, and what is refused."""

from __future__ import annotations

import io
import sqlite3

import pytest
from rich.console import Console

from bot.settings import Settings
from sandbox.cards import CARD_DATA_REFUSED, LAST_FOUR, NO_PAGE, PAYMENTS_OFF, USAGE
from sandbox.payments import SimulatedProvider
from sandbox.runtime import SandboxRuntime
from sandbox.session import Session
from tests.sandbox.steps import SAVE_A_CARD, refused, run

CARD_NUMBER = "4242424242424242"


def test_a_card_saved_on_the_linked_page_reaches_licensebot(session: Session) -> None:
    page = run(session, "/license subscription billing")
    assert "Card for invoices: No card is on file yet." in page
    assert "[1] Add or update the card ↗" in page
    assert run(session, "1") == (
        "(opens https://payments.sandbox.invalid/card/cus_sandbox_1: the sandbox has no card "
        "page; save a card as if there with /card save 4242)"
    )
    assert run(session, "/card save 4242") == (
        "Saved a card ending 4242 on the card page; the payment provider told licensebot."
    )
    assert "Card for invoices: visa ending 4242, expires 12/2030" in run(
        session, "/license subscription billing"
    )
    assert "saw a new card on file: visa ending 4242" in run(session, "/license audit")


def test_no_card_is_saved_before_licensebot_links_to_the_card_page(
    session: Session, payments: SimulatedProvider
) -> None:
    assert refused(session, "/card save 4242") == NO_PAGE
    assert payments.cards == {}


def test_a_declined_charge_is_announced_and_paid_once_charges_go_through(
    session: Session, payments: SimulatedProvider
) -> None:
    run(session, "/license channel #licenses", "/license buy 1 talk", "> submit", "> submit")
    run(session, "/license subscription billing Acme Ltd", *SAVE_A_CARD)
    assert run(session, "/card decline") == (
        'The payment provider now declines every charge ("Your card was declined.") until /card ok.'
    )
    run(session, "/license subscription subscribe")
    run(session, '> fill "first paid period starts=2"', "> submit")
    failed = run(session, "> submit")
    assert "The charge of 15.00 USD for invoice #1 failed." in failed
    assert "The payment provider said: Your card was declined." in failed
    assert payments.charged == []
    assert run(session, "/card ok") == "The payment provider now accepts charges."
    retried = run(session, '> press "Retry now"')
    assert "asked for invoice #1 (15.00 USD) to be charged again now" in retried
    assert "Received 15.00 USD from the visa ending 4242 for invoice #1" in retried
    assert [c.invoice_id for c in payments.charged] == [1]


def test_show_says_whether_charges_go_through_and_which_cards_are_saved(
    session: Session,
) -> None:
    assert run(session, "/card show") == (
        "Payment provider (simulated): charges go through\n  no card saved yet"
    )
    run(session, *SAVE_A_CARD, "/card decline")
    assert run(session, "/card show") == (
        'Payment provider (simulated): charges fail: "Your card was declined."\n'
        "  cus_sandbox_1: visa ending 4242, expires 12/2030"
    )


@pytest.mark.parametrize(
    "line",
    [
        f"/card save {CARD_NUMBER}",
        "/card save 4242 4242 4242 4242",
        "/card save 4242-4242-4242-4242",
        f"/card {CARD_NUMBER}",
        "/card save 4242 cvc 123",
    ],
)
def test_a_card_number_or_security_code_is_refused_and_kept_nowhere(
    session: Session,
    payments: SimulatedProvider,
    runtime: SandboxRuntime,
    sandbox_database: str,
    line: str,
) -> None:
    run(session, "/license subscription billing")  # a card page is open: saving would work
    assert refused(session, line) == CARD_DATA_REFUSED
    assert payments.cards == {}
    assert "4242" not in session.last_output
    slack_saw = " ".join(str(call.params) for call in runtime.fake.calls())
    assert "4242" not in slack_saw
    with sqlite3.connect(sandbox_database.removeprefix("sqlite:///")) as db:
        stored = "\n".join(db.iterdump())
    assert "4242" not in stored and "cvc" not in stored.lower()


@pytest.mark.parametrize(
    ("line", "advice"),
    [
        ("/card save 42", LAST_FOUR),
        ("/card save 424242", LAST_FOUR),
        ("/card save four", LAST_FOUR),
        ("/card save ４２４２", LAST_FOUR),
        ("/card save", USAGE),
        ("/card", USAGE),
        ("/card decline now", USAGE),
        ("/card refund", USAGE),
        (f"card save {CARD_NUMBER}", "Did you mean /card save •••• 4242?"),
    ],
)
def test_bad_card_input_says_what_to_do(
    session: Session, payments: SimulatedProvider, line: str, advice: str
) -> None:
    run(session, "/license subscription billing")
    assert advice in refused(session, line)
    assert payments.cards == {}


def test_without_payments_card_is_refused_and_invoices_are_records_only(
    sandbox_database: str,
) -> None:
    with SandboxRuntime(Settings(), sandbox_database) as runtime:
        session = Session(runtime, Console(file=io.StringIO(), width=200))
        assert refused(session, "/card ok") == PAYMENTS_OFF
        billing = run(session, "/license subscription billing")
        assert "Invoices name: nobody yet: add the billing contact." in billing
        assert "Edit billing contact" in billing
        assert "card" not in billing.casefold().replace("billing contact", "")


def test_help_lists_the_card_commands(session: Session) -> None:
    shown = run(session, "/help")
    for command in ("/card decline", "/card ok", "/card save 4242", "/card show"):
        assert command in shown
