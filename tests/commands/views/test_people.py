"""Who holds seats and roles, as the replies say it."""

from __future__ import annotations

from commands.views.people import (
    assigned_message,
    revoked_message,
    role_text,
)
from licensing.schemas import AssignmentChange
from tests.commands.views.samples import COUNTS


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
