"""`/license` text to requests: arguments in any order, names matched loosely, bad text told."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.parsing.slash_text import (
    SUBCOMMANDS,
    LicenseCommand,
    UsageError,
    needs_office_names,
    parse,
)
from licensing.catalog import Catalog, load_catalog

CATALOG = load_catalog()
OFFICES = ["Main", "Berlin Office"]


def p(text: str, catalog: Catalog = CATALOG) -> LicenseCommand:
    return parse(text, catalog, OFFICES)


def test_empty_text_is_help() -> None:
    assert p("   ").name == "help"


@pytest.mark.parametrize(
    "text",
    ["buy 3 talk berlin office", "buy Talk 3 Berlin Office", "BUY berlin office talk 3"],
)
def test_arguments_come_in_any_order_and_any_case(text: str) -> None:
    command = p(text)
    assert (command.name, command.count, command.product, command.office) == (
        "buy",
        3,
        "talk",
        "Berlin Office",
    )


def test_products_match_by_display_name_of_several_words() -> None:
    assert p("restore 2 call recording main").product == "recording"


def test_slack_escaped_mentions_are_parsed() -> None:
    command = p("assign <@U123ABC|dana> talk")
    assert (command.user_id, command.product) == ("U123ABC", "talk")
    assert p("channel <#C0LICENSES|licenses>").channel_id == "C0LICENSES"
    assert p("assign <@W0ENTERPRISE> talk").user_id == "W0ENTERPRISE"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frobnicate", "`frobnicate` is not a /license command"),
        ("buy 3.5 talk", "“3.5” is not a whole number of seats"),
        ("buy 1e9 talk", "“1e9” is not a whole number of seats"),
        ("buy 3 fax", "“fax” is neither a product (talk, meetings, recording) nor an office"),
        ("buy 3 4 talk", "Give a number of seats only once"),
        ("buy 99999999999999999999 talk", "far too many seats"),
        ("subscription explode", "`/license subscription` takes one of"),
        ("status Paris", "“Paris” is neither a product (talk, meetings, recording) nor an office"),
        ("status talk", "`/license status` takes an office or nothing"),
        ("invoices talk extra", "`/license invoices` does not take “extra”"),
    ],
)
def test_text_that_cannot_be_understood_says_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        p(text)
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("", False),
        ("status", False),
        ("STATUS Berlin Office", True),
        ("audit", False),
        ("channel <#C1>", False),
        ("buy 3 talk", True),
        ("users", True),
        ("offices", True),
        ("subscription subscribe", True),
    ],
)
def test_office_names_are_read_only_for_commands_that_can_name_an_office(
    text: str, needed: bool
) -> None:
    assert needs_office_names(text) is needed


def test_negative_and_zero_counts_are_left_for_the_service_to_refuse() -> None:
    assert p("buy -2 talk").count == -2
    assert p("remove 0 talk").count == 0


def test_subcommands_with_actions_default_to_showing() -> None:
    assert p("subscription").action == "status"
    assert p("admins").action == "list"
    command = p("admins add <@U1> Berlin Office")
    assert (command.action, command.user_id, command.office) == ("add", "U1", "Berlin Office")
    assert p("subscription billing Visa ending 4242").text == "Visa ending 4242"
    assert p("offices add Paris  Office").text == "Paris Office"


@given(st.text(max_size=200))
def test_any_text_parses_or_gets_a_usage_message(text: str) -> None:
    try:
        command = p(text)
    except UsageError as refused:
        assert refused.message and len(refused.message) < 600
    else:
        assert command.name in SUBCOMMANDS


@pytest.mark.parametrize(
    ("text", "days"),
    [("reminders", None), ("reminders 5", 5), ("reminders 5d", 5), ("Reminders 7 days", 7)],
)
def test_reminders_take_a_number_of_days(text: str, days: int | None) -> None:
    assert (p(text).name, p(text).count) == ("reminders", days)


@pytest.mark.parametrize("text", ["reminders soon", "reminders -2", "reminders 3 weeks"])
def test_reminders_without_days_say_how_to_write_them(text: str) -> None:
    with pytest.raises(UsageError, match=r"e.g. `/license reminders 3`"):
        p(text)


@pytest.mark.parametrize(
    "text",
    [
        "buy 3 talk seats",
        "buy 3 seats of talk",
        "buy 3 Talk licenses",
        "buy 3 licenses of talk",
        "buy talk 3 seats",
    ],
)
def test_the_words_people_put_around_a_count_and_a_product_are_understood(text: str) -> None:
    command = p(text)
    assert (command.name, command.count, command.product, command.office) == (
        "buy",
        3,
        "talk",
        None,
    )


def test_one_seat_of_a_product_in_an_office_is_understood() -> None:
    command = p("remove 1 seat talk Berlin Office")
    assert (command.count, command.product, command.office) == (1, "talk", "Berlin Office")


def test_an_office_whose_name_holds_a_filler_word_is_still_found() -> None:
    command = parse("buy 2 seats of talk in Isle of Man", CATALOG, ["Main", "in Isle of Man"])
    assert (command.count, command.product, command.office) == (2, "talk", "in Isle of Man")


@pytest.mark.parametrize(("text", "count"), [("buy 1,000 talk", 1000), ("buy 12,345 talk", 12345)])
def test_counts_may_carry_thousands_separators(text: str, count: int) -> None:
    assert p(text).count == count


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stauts", "`stauts` is not a /license command. Did you mean `status`?"),
        ("remvoe 2 talk", "`remvoe` is not a /license command. Did you mean `remove`?"),
        (
            "buy 3 tlak",
            "“tlak” is neither a product (talk, meetings, recording) nor an office "
            "(Main, Berlin Office). Did you mean Talk?",
        ),
        (
            "buy 3 talk berlin ofice",
            "“berlin ofice” is neither a product (talk, meetings, recording) nor an office "
            "(Main, Berlin Office). Did you mean Berlin Office?",
        ),
        (
            "subscription cancle",
            "`/license subscription` takes one of: status, subscribe, cancel, reactivate, "
            "billing, interval. Did you mean `cancel`?",
        ),
    ],
)
def test_a_misspelling_is_answered_with_what_was_probably_meant(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        p(text)
    assert refused.value.message == message


@pytest.mark.parametrize("text", ["buy 1,00 talk", "buy 1.000 talk", "buy 10,0000 talk"])
def test_separators_out_of_place_are_not_a_count(text: str) -> None:
    with pytest.raises(UsageError, match="is not a whole number of seats"):
        p(text)


@pytest.mark.parametrize("text", ["admins add @nobody", "assign @nobody talk"])
def test_a_name_typed_with_at_but_not_picked_is_not_taken_for_a_product(text: str) -> None:
    with pytest.raises(UsageError) as refused:
        p(text)
    assert refused.value.message == (
        "“@nobody” is not a Slack user licensebot can see: mention someone by typing @ and "
        "picking them from the list Slack shows."
    )


def test_a_channel_typed_with_a_hash_but_not_picked_says_to_pick_it() -> None:
    with pytest.raises(UsageError) as refused:
        p("channel #licenses")
    assert refused.value.message == (
        "“#licenses” is not a channel licensebot can see: type # and pick the channel from the "
        "list Slack shows."
    )


def test_status_takes_an_office() -> None:
    command = p("status berlin office")
    assert (command.name, command.office) == ("status", "Berlin Office")


@pytest.mark.parametrize(
    ("text", "action", "office", "name"),
    [
        ("offices", "list", None, ""),
        ("offices add  Paris  Office", "add", None, "Paris Office"),
        ("offices rename berlin office to Munich", "rename", "Berlin Office", "Munich"),
        ("offices remove Berlin Office", "remove", None, "Berlin Office"),
    ],
)
def test_offices_are_listed_added_renamed_and_removed(
    text: str, action: str, office: str | None, name: str
) -> None:
    command = p(text)
    assert (command.action, command.office, command.text) == (action, office, name)


def test_a_rename_splits_at_the_to_that_follows_a_whole_office_name() -> None:
    offices = ["Main", "Back to School"]
    command = parse("offices rename back to school to Sales to Go", CATALOG, offices)
    assert (command.office, command.text) == ("Back to School", "Sales to Go")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("offices add", "Name the office: `/license offices add Berlin`."),
        ("offices remove", "Name the office to remove: `/license offices remove Berlin`."),
        (
            "offices rename Berlin Office",
            "Name the office and its new name: `/license offices rename Berlin to Munich`.",
        ),
        (
            "offices rename Berlin Office to",
            "Name the office and its new name: `/license offices rename Berlin to Munich`.",
        ),
        (
            "offices rename Mian to HQ",
            "“Mian” is not an office (Main, Berlin Office). Did you mean Main? Name the office "
            "and its new name: `/license offices rename Berlin to Munich`.",
        ),
    ],
)
def test_an_office_command_without_its_names_says_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        p(text)
    assert refused.value.message == message


def test_office_names_are_compared_in_their_normal_form() -> None:
    assert p("buy 2 talk ＢＥＲＬＩＮ   office").office == "Berlin Office"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("retries", ""),
        ("retries 3,5,7", "3,5,7"),
        ("retries 3 5 7", "3,5,7"),
        ("retries 2, 4", "2,4"),
    ],
)
def test_retries_take_days_after_the_first_failure(text: str, days: str) -> None:
    assert (p(text).name, p(text).text) == ("retries", days)


@pytest.mark.parametrize("text", ["retries soon", "retries -2", "retries 3;5"])
def test_retries_without_days_say_how_to_write_them(text: str) -> None:
    with pytest.raises(UsageError, match=r"e\.g\. `/license retries 3,5,7`"):
        p(text)
