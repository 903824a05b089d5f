"""Assigning and revoking seats, and who may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from licensing import errors, orm
from licensing.model import RoleName
from licensing.requests import (
    AddOffice,
    Assign,
    Cancel,
    GrantRole,
    Purchase,
    Revoke,
    RevokeRole,
    ScheduleRemoval,
    Subscribe,
)
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from tests.conftest import OWNER
from tests.licensing.helpers import count_rows, ledger_events, member, pool_counts, subscribe


def test_assigning_takes_one_available_seat(service: LicensingService, account: AccountKey) -> None:
    subscribe(service, account, seats=2)
    result = service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    assert (result.pool_after.assigned, result.pool_after.available) == (1, 1)
    assert service.users(account, OWNER, "talk")[0].user_ids == ["U1"]


def test_admins_can_never_assign_more_users_than_seats(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=3)
    service.handle(account, OWNER, ScheduleRemoval(count=1, product="talk"), idempotency_key="rm")
    service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    service.handle(account, OWNER, Assign(user_id="U2", product="talk"))
    events = ledger_events(engine)

    with pytest.raises(errors.NoSeatAvailable) as refused:
        service.handle(account, OWNER, Assign(user_id="U3", product="talk"))

    assert refused.value.message == (
        "No Talk seat is free: 3 purchased, 2 assigned, 1 scheduled for removal. "
        "To assign this user, restore the seat scheduled for removal, or buy a seat."
    )
    assert pool_counts(service, account) == (3, 1, 2)
    assert ledger_events(engine) == events


def test_a_user_holds_at_most_one_seat_of_a_product(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=3)
    service.handle(account, OWNER, AddOffice(name="Berlin"))
    service.handle(
        account, OWNER, Purchase(count=1, product="talk", office="Berlin"), idempotency_key="b"
    )
    service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    with pytest.raises(errors.AlreadyAssigned):
        service.handle(account, OWNER, Assign(user_id="U1", product="talk", office="Berlin"))
    assert pool_counts(service, account, office="Berlin") == (1, 0, 0)


def test_an_add_on_needs_its_license_first(service: LicensingService, account: AccountKey) -> None:
    service.handle(account, OWNER, Purchase(count=2, product="recording"), idempotency_key="rec")
    with pytest.raises(errors.LicenseRequired) as refused:
        service.handle(account, OWNER, Assign(user_id="U1", product="recording"))
    assert "assign <@U1> a Talk seat first" in refused.value.message
    service.handle(account, OWNER, Purchase(count=1, product="talk"), idempotency_key="talk")
    service.handle(account, OWNER, Assign(user_id="U1", product="talk"))
    result = service.handle(account, OWNER, Assign(user_id="U1", product="recording"))
    assert result.pool_after.assigned == 1


def test_revoking_a_license_revokes_the_add_ons_that_depend_on_it(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    service.handle(account, OWNER, Purchase(count=1, product="talk"), idempotency_key="talk")
    service.handle(account, OWNER, Purchase(count=1, product="recording"), idempotency_key="rec")
    service.handle(account, OWNER, Purchase(count=1, product="meetings"), idempotency_key="meet")
    for product in ("talk", "recording", "meetings"):
        service.handle(account, OWNER, Assign(user_id="U1", product=product))

    preview = service.quote(account, OWNER, Revoke(user_id="U1", product="talk"))
    assert preview.also_revoked == ["Call Recording"]
    assert count_rows(engine, orm.Assignment) == 3  # a preview changes nothing

    result = service.handle(account, OWNER, Revoke(user_id="U1", product="talk"))

    assert result.also_revoked == ["Call Recording"]
    assert result.pool_after.available == 1
    assert pool_counts(service, account, "recording") == (1, 0, 0)
    assert pool_counts(service, account, "meetings") == (1, 0, 1)
    assert ledger_events(engine)[-2:] == ["seat_revoked", "seat_revoked"]


def test_revoking_a_seat_the_user_does_not_hold_is_refused(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.NotAssigned):
        service.handle(account, OWNER, Revoke(user_id="U9", product="talk"))


def test_members_may_only_see_their_own_seats(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="talk")
    service.handle(account, OWNER, Assign(user_id="UMEMBER", product="talk"))
    dana = member("UMEMBER")

    status = service.status(account, dana)

    assert status.pools == [] and status.next_invoice_estimate is None
    assert [(s.office, s.product_name) for s in status.your_seats] == [("Main", "Talk")]
    for attempt in (
        lambda: service.handle(
            account, dana, Purchase(count=1, product="talk"), idempotency_key="x"
        ),
        lambda: service.handle(account, dana, Assign(user_id="U2", product="talk")),
        lambda: service.handle(account, dana, Revoke(user_id="UMEMBER", product="talk")),
        lambda: service.invoices(account, dana),
        lambda: service.audit(account, dana),
        lambda: service.handle(account, dana, Cancel(), idempotency_key="c"),
    ):
        with pytest.raises(errors.NotAllowed):
            attempt()
    assert pool_counts(service, account) == (2, 0, 1)


def test_office_admins_manage_only_their_own_offices(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, AddOffice(name="Berlin"))
    service.handle(
        account, OWNER, GrantRole(user_id="UBERLIN", role=RoleName.OFFICE_ADMIN, office="Berlin")
    )
    berlin_admin = member("UBERLIN")

    service.handle(
        account,
        berlin_admin,
        Purchase(count=2, product="talk", office="Berlin"),
        idempotency_key="b",
    )
    service.handle(account, berlin_admin, Assign(user_id="U1", product="talk", office="Berlin"))
    with pytest.raises(errors.NotAllowed) as refused:
        service.handle(
            account,
            berlin_admin,
            Purchase(count=1, product="talk", office="Main"),
            idempotency_key="m",
        )
    assert "company admins and admins of Main" in refused.value.message
    with pytest.raises(errors.NotAllowed):
        subscribe_monthly = Subscribe(interval="month", start_now=True)  # type: ignore[arg-type]
        service.handle(account, berlin_admin, subscribe_monthly, idempotency_key="s")

    status = service.status(account, berlin_admin)
    assert [p.office for p in status.pools] == ["Berlin"]
    assert status.admin_of_offices == ["Berlin"]


def test_workspace_admins_are_company_admins_without_a_role_row(
    service: LicensingService, account: AccountKey
) -> None:
    slack_admin = Actor(user_id="UADMIN", workspace_admin=True)
    result = service.handle(
        account, slack_admin, Purchase(count=1, product="talk"), idempotency_key="k"
    )
    assert result.pool_after.purchased == 1


def test_roles_can_be_granted_listed_and_revoked(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, GrantRole(user_id="U2", role=RoleName.COMPANY_ADMIN))
    assert {(r.user_id, r.role) for r in service.roles(account, OWNER)} == {
        ("UOWNER", "company_admin"),
        ("U2", "company_admin"),
    }
    service.handle(account, OWNER, RevokeRole(user_id="U2", role=RoleName.COMPANY_ADMIN))
    with pytest.raises(errors.NotAllowed):
        service.handle(account, member("U2"), GrantRole(user_id="U3", role=RoleName.COMPANY_ADMIN))
    with pytest.raises(errors.LicensingError, match="is not a company admin"):
        service.handle(account, OWNER, RevokeRole(user_id="U2", role=RoleName.COMPANY_ADMIN))


def test_an_unknown_workspace_is_told_to_install_the_app(service: LicensingService) -> None:
    with pytest.raises(errors.AccountNotFound, match="Install the app"):
        service.status(AccountKey(team_id="TNOPE"), OWNER)


def test_users_lists_holders_per_pool_within_the_offices_one_manages(
    service: LicensingService, account: AccountKey
) -> None:
    service.handle(account, OWNER, AddOffice(name="Berlin"))
    service.handle(account, OWNER, Purchase(count=2, product="talk"), idempotency_key="main")
    service.handle(
        account, OWNER, Purchase(count=1, product="talk", office="Berlin"), idempotency_key="berlin"
    )
    for user, office in (("U2", "Main"), ("U1", "Main"), ("U3", "Berlin")):
        service.handle(account, OWNER, Assign(user_id=user, product="talk", office=office))
    service.handle(
        account, OWNER, GrantRole(user_id="UBERLIN", role=RoleName.OFFICE_ADMIN, office="Berlin")
    )

    everyone = service.users(account, OWNER, "talk")
    assert [(p.office, p.user_ids) for p in everyone] == [
        ("Main", ["U1", "U2"]),
        ("Berlin", ["U3"]),
    ]
    assert service.users(account, OWNER, office="Main", limit=1)[0].more
    berlin_admin = member("UBERLIN")
    assert [p.office for p in service.users(account, berlin_admin)] == ["Berlin"]
    with pytest.raises(errors.NotAllowed):
        service.users(account, berlin_admin, office="Main")
