"""Offices: adding, renaming and removing them, where requests without an office go, and the
time zone and user list settings next to them."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from licensing import errors
from licensing.model import RoleName
from licensing.requests import (
    AddOffice,
    Assign,
    GrantRole,
    Purchase,
    RemoveOffice,
    RenameOffice,
    Revoke,
    RevokeRole,
    ScheduleRemoval,
    SetTimeZone,
)
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from tests.conftest import OWNER
from tests.licensing.helpers import ledger_events, member, pool_counts, subscribe

BERLIN_ADMIN = Actor(user_id="UBERLIN")


def _berlin(service: LicensingService, account: AccountKey) -> None:
    service.handle(account, OWNER, AddOffice(name="Berlin"))


def test_an_office_name_is_stored_normalised(
    service: LicensingService, account: AccountKey
) -> None:
    status = service.handle(account, OWNER, AddOffice(name="  Ｂｅｒｌｉｎ   Office "))
    assert status.offices == ["Main", "Berlin Office"]


def test_a_name_equal_to_an_office_after_normalisation_is_that_office(
    service: LicensingService, account: AccountKey
) -> None:
    _berlin(service, account)
    with pytest.raises(errors.OfficeAlreadyExists) as refused:
        service.handle(account, OWNER, AddOffice(name="ＢＥＲＬＩＮ"))
    assert refused.value.message == (
        "An office called “Berlin” already exists (names are compared without regard to case "
        "or spacing). Pick another name."
    )
    result = service.handle(
        account, OWNER, Purchase(count=2, product="talk", office="berlin"), idempotency_key="b"
    )
    assert result.office == "Berlin"


@pytest.mark.parametrize(
    ("name", "refusal"),
    [
        ("B\u0435rlin", errors.OfficeNameMixedAlphabets),
        ("Ber\u200blin", errors.OfficeNameHiddenCharacter),
        ("x" * 76, errors.OfficeNameTooLong),
        ("   ", errors.OfficeNameMissing),
        ("Visa 4242 4242 4242 4242", errors.CardNumberInText),
    ],
)
def test_a_name_that_would_mislead_or_not_fit_is_refused_and_nothing_is_stored(
    service: LicensingService,
    account: AccountKey,
    engine: Engine,
    name: str,
    refusal: type[errors.LicensingError],
) -> None:
    with pytest.raises(refusal):
        service.handle(account, OWNER, AddOffice(name=name))
    assert service.office_names(account, OWNER) == ["Main"]
    assert ledger_events(engine) == ["trial_started"]


def test_an_office_stored_under_a_key_of_the_old_form_is_still_found_and_not_doubled(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    """Keys were once only casefolded: a full-width name kept its full-width key."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO offices (account_id, name, name_key) SELECT id, :n, :k FROM accounts"
            ),
            {"n": "Ｐａｒｉｓ", "k": "ｐａｒｉｓ"},
        )
    with pytest.raises(errors.OfficeAlreadyExists):
        service.handle(account, OWNER, AddOffice(name="Paris"))
    result = service.handle(
        account, OWNER, Purchase(count=1, product="talk", office="paris"), idempotency_key="p"
    )
    assert result.office == "Ｐａｒｉｓ"


def test_renaming_an_office_keeps_its_seats_and_the_names_on_past_records(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=2)
    _berlin(service, account)
    service.handle(account, OWNER, Purchase(count=1, product="talk", office="Berlin"), "b")

    status = service.handle(account, OWNER, RenameOffice(office="berlin", new_name="Munich"))

    assert status.offices == ["Main", "Munich"]
    assert pool_counts(service, account, office="Munich") == (1, 0, 0)
    [purchase] = [i for i in service.invoices(account, OWNER).invoices if i.kind == "purchase"]
    assert purchase.lines[0].office == "Berlin"  # an invoice names the office as it was
    [renamed] = [e for e in service.audit(account, OWNER).entries if e.event == "office_renamed"]
    assert (renamed.office, renamed.detail) == ("Munich", "was Berlin")


def test_main_can_be_renamed_and_requests_without_an_office_still_go_there(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, RenameOffice(office="Main", new_name="Headquarters"))
    result = service.handle(account, OWNER, Purchase(count=1, product="talk"), "k")
    assert result.office == "Headquarters"


def test_an_office_cannot_be_renamed_to_the_name_of_another(
    service: LicensingService, account: AccountKey
) -> None:
    _berlin(service, account)
    with pytest.raises(errors.OfficeAlreadyExists):
        service.handle(account, OWNER, RenameOffice(office="Berlin", new_name="MAIN"))
    status = service.handle(account, OWNER, RenameOffice(office="Berlin", new_name="BERLIN"))
    assert status.offices == ["Main", "BERLIN"]


def test_a_rename_to_a_misleading_name_is_refused(
    service: LicensingService, account: AccountKey
) -> None:
    _berlin(service, account)
    with pytest.raises(errors.OfficeNameMixedAlphabets):
        service.handle(account, OWNER, RenameOffice(office="Berlin", new_name="B\u0435rlin"))


def test_an_empty_office_is_removed_with_its_empty_pools(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    _berlin(service, account)
    service.handle(account, OWNER, Purchase(count=1, product="talk", office="Berlin"), "b")
    service.handle(account, OWNER, ScheduleRemoval(count=1, product="talk", office="Berlin"), "r")

    status = service.handle(account, OWNER, RemoveOffice(office="BERLIN"))

    assert status.offices == ["Main"]
    assert ledger_events(engine)[-1] == "office_removed"
    _berlin(service, account)  # the name is free again
    assert pool_counts(service, account, office="Berlin") == (0, 0, 0)


def test_an_office_holding_seats_assignments_or_admins_is_not_removed(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=1)
    _berlin(service, account)
    service.handle(account, OWNER, Purchase(count=2, product="talk", office="Berlin"), "b")
    service.handle(account, OWNER, Assign(user_id="U1", product="talk", office="Berlin"))
    service.handle(account, OWNER, GrantRole(user_id="U2", role="office_admin", office="Berlin"))

    with pytest.raises(errors.OfficeInUse) as refused:
        service.handle(account, OWNER, RemoveOffice(office="Berlin"))
    assert refused.value.message == (
        "Berlin still has 2 seats, 1 assignment and 1 office admin, so it cannot be removed. "
        "First revoke its seats from users, remove its seats and its office admins. Seats "
        "scheduled for removal stay until they leave at the period end."
    )

    service.handle(account, OWNER, Revoke(user_id="U1", product="talk"))
    service.handle(account, OWNER, RevokeRole(user_id="U2", role="office_admin", office="Berlin"))
    service.handle(account, OWNER, ScheduleRemoval(count=2, product="talk", office="Berlin"), "r")
    with pytest.raises(errors.OfficeInUse, match="Berlin still has 2 seats, so"):
        service.handle(account, OWNER, RemoveOffice(office="Berlin"))


def test_the_first_office_is_never_removed(service: LicensingService, account: AccountKey) -> None:
    with pytest.raises(errors.MainOfficeStays) as refused:
        service.handle(account, OWNER, RemoveOffice(office="Main"))
    assert refused.value.message == (
        "Main is the account's first office, where requests that name no office go, so it "
        "cannot be removed. It can be renamed: `/license offices rename Main to NEW`."
    )


def test_removing_an_unknown_office_suggests_the_near_name(
    service: LicensingService, account: AccountKey
) -> None:
    _berlin(service, account)
    with pytest.raises(errors.UnknownOffice) as refused:
        service.handle(account, OWNER, RemoveOffice(office="Berln"))
    assert refused.value.message == (
        "There is no office called “Berln”. Offices: Main, Berlin. Did you mean Berlin?"
    )


def test_only_company_admins_rename_or_remove_offices(
    service: LicensingService, account: AccountKey
) -> None:
    _berlin(service, account)
    service.handle(
        account, OWNER, GrantRole(user_id="UBERLIN", role="office_admin", office="Berlin")
    )
    for request in (RenameOffice(office="Berlin", new_name="X"), RemoveOffice(office="Berlin")):
        with pytest.raises(errors.NotAllowed):
            service.handle(account, BERLIN_ADMIN, request)


def test_an_office_admin_of_one_office_acts_there_when_no_office_is_named(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=1)
    _berlin(service, account)
    service.handle(
        account, OWNER, GrantRole(user_id="UBERLIN", role=RoleName.OFFICE_ADMIN, office="Berlin")
    )

    bought = service.handle(account, BERLIN_ADMIN, Purchase(count=1, product="talk"), "b")
    assigned = service.handle(account, BERLIN_ADMIN, Assign(user_id="U1", product="talk"))

    assert (bought.office, assigned.office) == ("Berlin", "Berlin")
    choices = service.office_choices(account, BERLIN_ADMIN)
    assert (choices.names, choices.default) == (["Main", "Berlin"], "Berlin")
    assert service.office_choices(account, OWNER).default == "Main"


def test_an_office_admin_of_two_offices_names_one_or_gets_the_first(
    service: LicensingService, account: AccountKey
) -> None:
    _berlin(service, account)
    service.handle(account, OWNER, AddOffice(name="Paris"))
    for office in ("Berlin", "Paris"):
        service.handle(
            account, OWNER, GrantRole(user_id="UBERLIN", role=RoleName.OFFICE_ADMIN, office=office)
        )
    assert service.office_choices(account, BERLIN_ADMIN).default == "Main"
    with pytest.raises(errors.NotAllowed):
        service.handle(account, BERLIN_ADMIN, Purchase(count=1, product="talk"), "b")


def test_a_member_is_refused_the_list_of_who_holds_seats(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.NotAllowed) as refused:
        service.users(account, member("UDANA"))
    assert refused.value.message == (
        "You cannot list who holds seats: only company admins and office admins can. "
        "Ask one of them to do it."
    )


@pytest.mark.parametrize("typed", ["europe/berlin", "EUROPE/BERLIN", " Europe/Berlin "])
def test_a_time_zone_is_taken_in_any_case_and_stored_as_iana_spells_it(
    service: LicensingService, account: AccountKey, typed: str
) -> None:
    status = service.handle(account, OWNER, SetTimeZone(time_zone=typed))
    assert status.subscription.time_zone == "Europe/Berlin"


def test_a_misspelt_time_zone_is_refused_with_the_near_one(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.InvalidTimeZone) as refused:
        service.handle(account, OWNER, SetTimeZone(time_zone="Europe/Berln"))
    assert refused.value.message == "“Europe/Berln” is not a time zone. Did you mean Europe/Berlin?"


def test_installing_takes_a_time_zone_in_any_case(service: LicensingService) -> None:
    key = AccountKey(team_id="TTZ")
    assert service.install(key, "U1", "asia/tokyo").time_zone == "Asia/Tokyo"
