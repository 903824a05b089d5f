"""Who holds seats and roles, as the replies say it."""

from __future__ import annotations

from commands.views.people import (
    assigned_message,
    not_listed_message,
    revoked_message,
    role_text,
    users_message,
)
from licensing.errors import NotAllowed
from licensing.schemas import AssignmentChange
from tests.commands.views.samples import COUNTS, STATUS


def test_no_pools_to_list_is_said_plainly() -> None:
    assert users_message([])["text"] == (
        "No seats yet, so nobody holds one. Try `/license status`."
    )
    assert users_message([], "Talk", "Berlin")["text"] == (
        "No Talk seats in Berlin yet, so nobody holds one. Try `/license status`."
    )


def test_a_member_asking_who_holds_seats_is_told_why_not_and_shown_their_own() -> None:
    refusal = NotAllowed("list who holds seats", "company admins and office admins")
    assert not_listed_message(refusal, STATUS)["text"] == (
        "You cannot list who holds seats: only company admins and office admins can. "
        "Ask one of them to do it.\nYour seats: Talk (Main)."
    )
    nothing = STATUS.model_copy(update={"your_seats": []})
    assert not_listed_message(refusal, nothing)["text"].endswith("\nYour seats: none.")


def test_a_role_takes_the_article_it_sounds_like() -> None:
    assert role_text("U1", "office_admin", "Berlin", "is now") == (
        "<@U1> is now an office admin of Berlin."
    )
    assert role_text("U1", "company_admin", None, "is no longer") == (
        "<@U1> is no longer a company admin."
    )


def test_a_seat_takes_the_article_its_product_sounds_like() -> None:
    change = AssignmentChange(
        user_id="U1",
        office="Main",
        product_id="events",
        product_name="Event Pass",
        also_revoked=[],
        pool_after=COUNTS.model_copy(update={"available": 1}),
    )
    assert assigned_message(change)["text"] == (
        "<@U1> now holds an Event Pass seat in Main. 1 seat left."
    )
    assert revoked_message(change)["text"] == (
        "<@U1> no longer holds an Event Pass seat in Main. The seat is available again."
    )
