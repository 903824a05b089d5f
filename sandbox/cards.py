"""`/card`: the sandbox's payment provider, driven from the console. Charges can be made to
fail or succeed, and a card can be saved as if on the provider's card page, by its last 4
digits only: a card number or a security code is refused, as licensing refuses them."""

from __future__ import annotations

import re

from licensing.card_data import holds_card_data
from sandbox.errors import StepFailed
from sandbox.payments import DECLINED, PAGES, NoCardPage, SimulatedProvider
from sandbox.runtime import SandboxRuntime
from sandbox.screen import Screen

USAGE = "Use /card decline, /card ok, /card save 4242 or /card show."
CARD_DATA_REFUSED = (
    "Card numbers and security codes are never typed in, not even here, so nothing was "
    "saved. The card page takes them; /card save stands in for it with the last 4 digits "
    "only, e.g. /card save 4242."
)
LAST_FOUR = "Give the card's last 4 digits, e.g. /card save 4242."
NO_PAGE = (
    "licensebot has not linked to the card page yet. A company admin gets the link with "
    "/license subscription billing (or a failed charge's Update card button); then "
    "/card save 4242."
)
PAYMENTS_OFF = "Payments are off in this sandbox (--no-payments): invoices are records only."


class CardCommand:
    def __init__(self, runtime: SandboxRuntime, screen: Screen) -> None:
        self.runtime = runtime
        self.screen = screen

    def run(self, argument: str) -> bool:
        """Carry out `/card argument`; whether licensebot was notified of a saved card."""
        if holds_card_data(argument):
            raise StepFailed(CARD_DATA_REFUSED)
        provider = self._provider()
        action, _, value = argument.partition(" ")
        if action == "save" and value:
            self._save(provider, value.strip())
            return True
        if action == "decline" and not value:
            provider.declining = True
            self.screen.note(
                f'The payment provider now declines every charge ("{DECLINED}") until /card ok.',
                style="bold",
            )
        elif action == "ok" and not value:
            provider.declining = False
            self.screen.note("The payment provider now accepts charges.", style="bold")
        elif action == "show" and not value:
            self._show(provider)
        else:
            raise StepFailed(USAGE)
        return False

    def _save(self, provider: SimulatedProvider, last4: str) -> None:
        if not re.fullmatch(r"[0-9]{4}", last4):
            raise StepFailed(LAST_FOUR)
        try:
            notification = provider.save_card(last4, self.runtime.clock.now().year)
        except NoCardPage:
            raise StepFailed(NO_PAGE) from None
        self.runtime.notify(notification)
        self.screen.note(
            f"Saved a card ending {last4} on the card page; the payment provider told licensebot.",
            style="bold",
        )

    def _show(self, provider: SimulatedProvider) -> None:
        charges = f'fail: "{DECLINED}"' if provider.declining else "go through"
        lines = [f"Payment provider (simulated): charges {charges}"]
        for customer, card in provider.cards.items():
            lines.append(
                f"  {customer}: {card.brand} ending {card.last4}, "
                f"expires {card.exp_month:02d}/{card.exp_year}"
            )
        if len(lines) == 1:
            lines.append("  no card saved yet")
        self.screen.note("\n".join(lines), style="")

    def _provider(self) -> SimulatedProvider:
        if self.runtime.payments is None:
            raise StepFailed(PAYMENTS_OFF)
        return self.runtime.payments


def opened(url: str) -> str:
    """What pressing a link button does: the browser opens the page."""
    if url.startswith(f"{PAGES}/card/"):
        return (
            f"(opens {url}: the sandbox has no card page; save a card as if there with "
            "/card save 4242)"
        )
    return f"(opens {url} in the browser)"
