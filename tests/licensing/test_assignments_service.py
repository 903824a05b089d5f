"""Assigning and revoking seats, and who may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from licensing import errors, orm
from licensing.model import RoleName
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from tests.conftest import OWNER
from tests.licensing.helpers import count_rows, ledger_events, member, pool_counts, subscribe


def test_assigning_takes_one_available_seat(service: LicensingService, account: AccountKey) -> None:
    subscribe(service, account, seats=2)
    result = service.assign(account, OWNER, "U1", "talk")
    assert (result.pool_after.assigned, result.pool_after.available) == (1, 1)
    assert service.users(account, OWNER, "talk")[0].user_ids == ["U1"]


def test_admins_can_never_assign_more_users_than_seats(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    subscribe(service, account, seats=3)
    service.schedule_removal(account, OWNER, 1, "talk", idempotency_key="rm")
    service.assign(account, OWNER, "U1", "talk")
    service.assign(account, OWNER, "U2", "talk")
    events = ledger_events(engine)

    with pytest.raises(errors.NoSeatAvailable) as refused:
        service.assign(account, OWNER, "U3", "talk")

    assert refused.value.message == (
        "No Talk seat is free: 3 purchased, 2 assigned, 1 scheduled for removal. "
        "To assign this user, restore one of the 1 seat(s) scheduled for removal, or buy a seat."
    )
    assert pool_counts(service, account) == (3, 1, 2)
    assert ledger_events(engine) == events


def test_a_user_holds_at_most_one_seat_of_a_product(
    service: LicensingService, account: AccountKey
) -> None:
    subscribe(service, account, seats=3)
    service.add_office(account, OWNER, "Berlin")
    service.purchase(account, OWNER, 1, "talk", "Berlin", idempotency_key="b")
    service.assign(account, OWNER, "U1", "talk")
    with pytest.raises(errors.AlreadyAssigned):
        service.assign(account, OWNER, "U1", "talk", "Berlin")
    assert pool_counts(service, account, office="Berlin") == (1, 0, 0)


def test_an_add_on_needs_its_license_first(service: LicensingService, account: AccountKey) -> None:
    service.purchase(account, OWNER, 2, "recording", idempotency_key="rec")
    with pytest.raises(errors.LicenseRequired) as refused:
        service.assign(account, OWNER, "U1", "recording")
    assert "assign <@U1> a Talk seat first" in refused.value.message
    service.purchase(account, OWNER, 1, "talk", idempotency_key="talk")
    service.assign(account, OWNER, "U1", "talk")
    assert service.assign(account, OWNER, "U1", "recording").pool_after.assigned == 1


def test_revoking_a_license_revokes_the_add_ons_that_depend_on_it(
    service: LicensingService, account: AccountKey, engine: Engine
) -> None:
    service.purchase(account, OWNER, 1, "talk", idempotency_key="talk")
    service.purchase(account, OWNER, 1, "recording", idempotency_key="rec")
    service.purchase(account, OWNER, 1, "meetings", idempotency_key="meet")
    for product in ("talk", "recording", "meetings"):
        service.assign(account, OWNER, "U1", product)

    preview = service.preview_revoke(account, OWNER, "U1", "talk")
    assert preview.also_revoked == ["Call Recording"]
    assert count_rows(engine, orm.Assignment) == 3  # a preview changes nothing

    result = service.revoke(account, OWNER, "U1", "talk")

    assert result.also_revoked == ["Call Recording"]
    assert result.pool_after.available == 1
    assert pool_counts(service, account, "recording") == (1, 0, 0)
    assert pool_counts(service, account, "meetings") == (1, 0, 1)
    assert ledger_events(engine)[-2:] == ["seat_revoked", "seat_revoked"]


def test_revoking_a_seat_the_user_does_not_hold_is_refused(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.NotAssigned):
        service.revoke(account, OWNER, "U9", "talk")


def test_members_may_only_see_their_own_seats(
    service: LicensingService, account: AccountKey
) -> None:
    service.purchase(account, OWNER, 2, "talk", idempotency_key="talk")
    service.assign(account, OWNER, "UMEMBER", "talk")
    dana = member("UMEMBER")

    status = service.status(account, dana)

    assert status.pools == [] and status.next_invoice_estimate is None
    assert [(s.office, s.product_name) for s in status.your_seats] == [("Main", "Talk")]
    for attempt in (
        lambda: service.purchase(account, dana, 1, "talk", idempotency_key="x"),
        lambda: service.assign(account, dana, "U2", "talk"),
        lambda: service.revoke(account, dana, "UMEMBER", "talk"),
        lambda: service.invoices(account, dana),
        lambda: service.audit(account, dana),
        lambda: service.cancel(account, dana, idempotency_key="c"),
    ):
        with pytest.raises(errors.NotAllowed):
            attempt()
    assert pool_counts(service, account) == (2, 0, 1)


def test_office_admins_manage_only_their_own_offices(
    service: LicensingService, account: AccountKey
) -> None:
    service.add_office(account, OWNER, "Berlin")
    service.grant_role(account, OWNER, "UBERLIN", RoleName.OFFICE_ADMIN, "Berlin")
    berlin_admin = member("UBERLIN")

    service.purchase(account, berlin_admin, 2, "talk", "Berlin", idempotency_key="b")
    service.assign(account, berlin_admin, "U1", "talk", "Berlin")
    with pytest.raises(errors.NotAllowed) as refused:
        service.purchase(account, berlin_admin, 1, "talk", "Main", idempotency_key="m")
    assert "company admins and admins of Main" in refused.value.message
    with pytest.raises(errors.NotAllowed):
        service.subscribe(account, berlin_admin, "month", idempotency_key="s")  # type: ignore[arg-type]

    status = service.status(account, berlin_admin)
    assert [p.office for p in status.pools] == ["Berlin"]
    assert status.admin_of_offices == ["Berlin"]


def test_workspace_admins_are_company_admins_without_a_role_row(
    service: LicensingService, account: AccountKey
) -> None:
    slack_admin = Actor(user_id="UADMIN", workspace_admin=True)
    assert (
        service.purchase(account, slack_admin, 1, "talk", idempotency_key="k").pool_after.purchased
        == 1
    )


def test_roles_can_be_granted_listed_and_revoked(
    service: LicensingService, account: AccountKey
) -> None:
    service.grant_role(account, OWNER, "U2", RoleName.COMPANY_ADMIN)
    assert {(r.user_id, r.role) for r in service.roles(account, OWNER)} == {
        ("UOWNER", "company_admin"),
        ("U2", "company_admin"),
    }
    service.revoke_role(account, OWNER, "U2", RoleName.COMPANY_ADMIN)
    with pytest.raises(errors.NotAllowed):
        service.grant_role(account, member("U2"), "U3", RoleName.COMPANY_ADMIN)
    with pytest.raises(errors.LicensingError, match="is not a company admin"):
        service.revoke_role(account, OWNER, "U2", RoleName.COMPANY_ADMIN)


def test_an_unknown_workspace_is_told_to_install_the_app(service: LicensingService) -> None:
    with pytest.raises(errors.AccountNotFound, match="Install the app"):
        service.status(AccountKey(team_id="TNOPE"), OWNER)


def test_users_lists_holders_per_pool_within_the_offices_one_manages(
    service: LicensingService, account: AccountKey
) -> None:
    service.add_office(account, OWNER, "Berlin")
    service.purchase(account, OWNER, 2, "talk", idempotency_key="main")
    service.purchase(account, OWNER, 1, "talk", "Berlin", idempotency_key="berlin")
    for user, office in (("U2", "Main"), ("U1", "Main"), ("U3", "Berlin")):
        service.assign(account, OWNER, user, "talk", office)
    service.grant_role(account, OWNER, "UBERLIN", RoleName.OFFICE_ADMIN, "Berlin")

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
