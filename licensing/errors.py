"""One exception per refusal. Each message says what happened and what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from licensing.words import a, closest, plural

if TYPE_CHECKING:
    from licensing.catalog import Product
    from licensing.money import Money


class CatalogError(Exception):
    """The catalog file cannot be used; raised at start-up."""


class LicensingError(Exception):
    """A request was refused; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AccountNotFound(LicensingError):
    def __init__(self, team_id: str) -> None:
        super().__init__(
            f"Workspace {team_id} has no licensebot account yet. Install the app to start a trial."
        )


def _did_you_mean(text: str, known: list[str]) -> str:
    guess = closest(text, known)
    return f" Did you mean {guess}?" if guess else ""


class UnknownProduct(LicensingError):
    def __init__(self, text: str, known: list[str]) -> None:
        super().__init__(
            f"There is no product called “{text}”. Choose one of: {', '.join(known)}."
            + _did_you_mean(text, known)
        )


class UnknownOffice(LicensingError):
    def __init__(self, text: str, known: list[str]) -> None:
        offices = f"Offices: {', '.join(known)}." if known else "The account has no offices."
        super().__init__(
            f"There is no office called “{text}”. {offices}" + _did_you_mean(text, known)
        )


class OfficeAlreadyExists(LicensingError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"An office called “{name}” already exists (names are compared without regard to "
            "case or spacing). Pick another name."
        )


class InvalidOfficeName(LicensingError):
    """An office name that cannot be used as typed; the message says what to change."""


class OfficeNameMissing(InvalidOfficeName):
    def __init__(self) -> None:
        super().__init__("An office needs a name, such as Berlin.")


class OfficeNameTooLong(InvalidOfficeName):
    def __init__(self, name: str, maximum: int) -> None:
        super().__init__(
            f"“{name[:20]}…” is {len(name)} characters long, and an office name can have at "
            f"most {maximum} (Slack shows no more in a list). Pick a shorter name."
        )


class OfficeNameHiddenCharacter(InvalidOfficeName):
    """`described`: the character as `U+200B ZERO WIDTH SPACE`; `before`: the name up to it."""

    def __init__(self, described: str, before: str) -> None:
        where = f"after “{before}”" if before else "at its start"
        super().__init__(
            f"The office name holds a character that does not show, {described}, {where}. "
            "Type the name again instead of pasting it, without that character."
        )


class OfficeNameMixedAlphabets(InvalidOfficeName):
    def __init__(self, name: str, char: str, described: str, main: str, odd: str) -> None:
        super().__init__(
            f"“{name}” mixes {main} and {odd} letters, which can look the same: “{char}” is "
            f"{described}. Type the name again in one alphabet."
        )


class MainOfficeStays(LicensingError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} is the account's first office, where requests that name no office go, so it "
            f"cannot be removed. It can be renamed: `/license offices rename {name} to NEW`."
        )


class OfficeInUse(LicensingError):
    def __init__(self, name: str, seats: int, assigned: int, admins: int) -> None:
        held = [
            plural(count, noun)
            for count, noun in ((seats, "seat"), (assigned, "assignment"), (admins, "office admin"))
            if count
        ]
        listed = ", ".join(held[:-1]) + " and " + held[-1] if len(held) > 1 else held[0]
        super().__init__(
            f"{name} still has {listed}, so it cannot be removed. First revoke its seats from "
            "users, remove its seats and its office admins. Seats scheduled for removal stay "
            "until they leave at the period end."
        )


class InvalidSeatCount(LicensingError):
    def __init__(self, count: int, maximum: int) -> None:
        super().__init__(
            f"{count} is not a number of seats licensebot can take: "
            f"enter a whole number from 1 to {maximum:,}."
        )


class NotEnoughUnassignedSeats(LicensingError):
    def __init__(self, requested: int, available: int, assigned: int) -> None:
        super().__init__(
            f"Only unassigned seats can be removed: {available} {_are(available)} free and "
            f"{assigned} {_are(assigned)} assigned, so {requested} cannot be removed. "
            "Revoke users first, then remove seats."
        )


class NothingToRestore(LicensingError):
    def __init__(self, requested: int, scheduled: int) -> None:
        super().__init__(
            f"Only {plural(scheduled, 'seat')} {_are(scheduled)} scheduled for removal, so "
            f"{requested} cannot be restored. "
            f"Restore at most {scheduled}, or buy new seats."
            if scheduled
            else "No seats are scheduled for removal, so there is nothing to restore. "
            "Buy seats if you need more."
        )


class NoSeatAvailable(LicensingError):
    def __init__(self, product: str, purchased: int, assigned: int, scheduled: int) -> None:
        hint = (
            f"restore {'the seat' if scheduled == 1 else f'one of the {scheduled:,} seats'} "
            "scheduled for removal, or buy a seat"
            if scheduled
            else "buy a seat, or revoke one from someone who no longer needs it"
        )
        super().__init__(
            f"No {product} seat is free: {purchased} purchased, {assigned} assigned, "
            f"{scheduled} scheduled for removal. To assign this user, {hint}."
        )
        self.purchased, self.assigned, self.scheduled = purchased, assigned, scheduled


class AlreadyAssigned(LicensingError):
    def __init__(self, user_id: str, product: str) -> None:
        super().__init__(f"<@{user_id}> already holds {a(product + ' seat')}; nothing was changed.")


class LicenseRequired(LicensingError):
    def __init__(self, user_id: str, add_on: str, license_name: str) -> None:
        super().__init__(
            f"{add_on} is an add-on to {license_name}: assign <@{user_id}> "
            f"{a(license_name + ' seat')} first."
        )


class NotAssigned(LicensingError):
    def __init__(self, user_id: str, product: str) -> None:
        super().__init__(f"<@{user_id}> holds no {product} seat; nothing to revoke.")


class SeatsBelowAssigned(LicensingError):
    def __init__(self, office: str, product: Product, requested: int, assigned: int) -> None:
        super().__init__(
            f"{office} has {plural(assigned, product.name + ' seat')} assigned, so it cannot keep only "
            f"{requested}. Revoke users first, or keep at least {assigned}."
        )
        self.office, self.product_id = office, product.id


class BillingDetailsMissing(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "Add billing details before subscribing: `/license subscription billing <details>`."
        )


class BillingContactInvalid(LicensingError):
    """One field of the billing contact, named by `field`, cannot be used as typed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CardMissing(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "Add a card before subscribing: `/license subscription billing` gives you a link "
            "to the payment provider's page, where card details are entered (never in Slack)."
        )


class CardDataRefused(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "Card details are never taken in Slack, so nothing was saved: leave out the card "
            "number and security code. Billing details are who and where to invoice, e.g. "
            "`/license subscription billing Acme Ltd, 1 Main St, London, VAT GB123456789, "
            "billing@acme.example`."
        )


class CardNumberInText(LicensingError):
    """Card data typed anywhere other than the billing details."""

    def __init__(self) -> None:
        super().__init__(
            "Card details are never taken in Slack, so nothing was done or kept: that looks "
            "like a card number or security code. Leave it out. Where invoices are charged to "
            "a card, `/license subscription billing` links to the payment provider's page for it.",
        )


class WrongSubscriptionState(LicensingError):
    """The action does not fit the subscription's current status."""


class PaymentOverdue(LicensingError):
    """Past due: the account may use its seats but not buy or change its plan."""

    def __init__(self, action: str, invoices: list[int], owed: Money) -> None:
        numbers = ", ".join(f"#{n}" for n in invoices)
        super().__init__(
            f"You cannot {action} now: {owed} is unpaid "
            f"({'invoice' if len(invoices) == 1 else 'invoices'} {numbers}). "
            "A company admin can update the card with `/license subscription billing`; "
            "the charge is then tried again at once."
        )


class InvalidRetryDays(LicensingError):
    def __init__(self, most: int, last_day: int) -> None:
        super().__init__(
            f"Give 1 to {most} days after a failed charge on which it is tried again, each "
            f"later than the one before and at most {last_day}, e.g. `/license retries 3,5,7`."
        )


class PaymentsNotCollected(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "Invoices are records only here: nothing is charged, so there are no retries to set."
        )


class NothingToRetry(LicensingError):
    def __init__(self, invoice_id: int) -> None:
        super().__init__(
            f"Invoice #{invoice_id} is not waiting to be paid, so there is nothing to retry. "
            "See `/license invoices` for what is owed."
        )


class NotAllowed(LicensingError):
    def __init__(self, action: str, needed: str) -> None:
        super().__init__(f"You cannot {action}: only {needed} can. Ask one of them to do it.")


class IdempotencyConflict(LicensingError):
    def __init__(self) -> None:
        super().__init__(
            "This request was already used for a different change. Start again from the command."
        )


class QuoteExpired(LicensingError):
    def __init__(self) -> None:
        super().__init__("This price is out of date. Review the new amount before confirming.")


class QuoteChanged(LicensingError):
    """What Confirm would do now differs from the review the admin saw; `current` is the new
    quote (None when the request has no review), to show in its place."""

    def __init__(self, current: object | None) -> None:
        super().__init__(
            "This change is no longer what you reviewed: the account changed in the meantime. "
            "Review the new figures before confirming."
        )
        self.current = current


class InvalidTimeZone(LicensingError):
    def __init__(self, name: str, guess: str | None = None) -> None:
        super().__init__(
            f"“{name}” is not a time zone. "
            + (f"Did you mean {guess}?" if guess else "Use a name such as Europe/Berlin.")
        )


class SeatsAlreadyGone(LicensingError):
    def __init__(self, period_end: str) -> None:
        super().__init__(
            f"These seats already left when the period ended on {period_end}. "
            "Buy seats to add them again: `/license buy`."
        )


class InvalidLeadTime(LicensingError):
    def __init__(self, days: int, maximum: int) -> None:
        super().__init__(
            f"Reminders can go out 1 to {maximum} days before a period ends, not {days}. "
            "Try `/license reminders 3`."
        )


class IntervalUnchanged(LicensingError):
    def __init__(self, interval: str) -> None:
        super().__init__(
            f"The subscription is already billed {interval}ly from the next period on. "
            "Nothing changed."
        )


def _are(count: int) -> str:
    return "is" if count == 1 else "are"
