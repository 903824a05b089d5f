"""The status reply."""

from __future__ import annotations

from commands.views.status import current_time_zone_message, reminders_message, status_message
from tests.commands.views.samples import STATUS


def test_status_shows_what_idle_seats_cost() -> None:
    text = str(status_message(STATUS))
    assert "5 purchased · 2 assigned · 2 available · 1 scheduled for removal" in text
    assert "unassigned seats cost 30.00 USD a month" in text
    assert "Notices go to company admins by DM; reminders 3 days before each period ends" in text


BERLIN_POOL = STATUS.pools[0].model_copy(update={"office": "Berlin"})
TWO_OFFICES = STATUS.model_copy(
    update={"offices": ["Main", "Berlin"], "pools": [STATUS.pools[0], BERLIN_POOL]}
)


def _texts(message: dict[str, object]) -> list[str]:
    blocks = message["blocks"]
    assert isinstance(blocks, list)
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_status_of_one_office_shows_only_its_pools() -> None:
    message = status_message(TWO_OFFICES, "Berlin")
    assert message["text"] == "License status of Berlin"
    assert _texts(message) == [
        "*Talk* in Berlin\n5 purchased · 2 assigned · 2 available · 1 scheduled for removal"
        " · unassigned seats cost 30.00 USD a month",
        "Next invoice estimate (all offices): *60.00 USD*",
    ]


def test_status_of_an_office_without_seats_says_so() -> None:
    empty = TWO_OFFICES.model_copy(update={"pools": [STATUS.pools[0]]})
    assert _texts(status_message(empty, "Berlin"))[0] == (
        "Berlin has no seats yet. Buy some with `/license buy`."
    )


def test_status_of_an_office_an_office_admin_does_not_manage_says_so() -> None:
    berlin_admin = STATUS.model_copy(
        update={
            "is_company_admin": False,
            "admin_of_offices": ["Berlin"],
            "offices": ["Berlin"],
            "pools": [BERLIN_POOL],
            "next_invoice_estimate": None,
        }
    )
    assert _texts(status_message(berlin_admin, "Main"))[0] == (
        "You do not manage Main, so its seats are not shown here."
    )


def test_a_member_sees_their_own_seats_of_the_office() -> None:
    member = STATUS.model_copy(
        update={"is_company_admin": False, "pools": [], "next_invoice_estimate": None}
    )
    assert _texts(status_message(member, "Main")) == ["Your seats: Talk (Main)"]
    assert _texts(status_message(member, "Berlin")) == [
        "You hold no seat in Berlin. Ask an admin if you need one."
    ]


def test_many_pools_are_cut_short_within_slacks_50_blocks() -> None:
    pools = [STATUS.pools[0].model_copy(update={"office": f"Office {n}"}) for n in range(60)]
    message = status_message(STATUS.model_copy(update={"pools": pools}))
    blocks = message["blocks"]
    assert isinstance(blocks, list) and len(blocks) <= 50
    assert "…and 20 more pools: see one office with `/license status OFFICE`." in _texts(message)


def test_a_reminder_lead_of_one_day_is_one_day() -> None:
    one_day = STATUS.model_copy(update={"notice_lead_days": 1})
    assert reminders_message(one_day)["text"] == (
        "Reminders go out 1 day before each period ends, to company admins by DM. "
        "Change it with `/license reminders DAYS` (1 to 30)."
    )


def test_the_time_zone_without_a_new_one_shows_the_current_one_and_how_to_change_it() -> None:
    assert current_time_zone_message(STATUS)["text"] == (
        "The billing time zone is Europe/Berlin: periods end, and reminders go out, by its "
        "clock. A company admin changes it with `/license timezone Area/City`, e.g. "
        "`/license timezone Europe/Berlin`; a new time zone applies from the next period."
    )
