"""Who may do what (rule 11): company admins everywhere, office admins in their offices."""

from __future__ import annotations

import pytest

from licensing.access import Access
from licensing.errors import NotAllowed
from licensing.model import RoleName


def test_a_workspace_admin_is_a_company_admin_without_any_role() -> None:
    access = Access.of(workspace_admin=True, roles=[])
    assert access == Access(company_admin=True, office_ids=frozenset())
    assert access.manages(1)
    assert access.manages(42)
    access.require_company_admin("change roles")
    access.require_office(42, "Berlin", "buy seats")


def test_a_company_admin_role_makes_a_company_admin() -> None:
    access = Access.of(workspace_admin=False, roles=[("company_admin", None)])
    assert access.company_admin
    assert access.manages(7)
    access.require_company_admin("cancel the subscription")


def test_role_names_may_be_given_as_the_enum() -> None:
    access = Access.of(
        workspace_admin=False, roles=[(RoleName.OFFICE_ADMIN, 3), (RoleName.COMPANY_ADMIN, None)]
    )
    assert access == Access(company_admin=True, office_ids=frozenset({3}))


def test_office_admin_roles_give_only_their_own_offices() -> None:
    access = Access.of(workspace_admin=False, roles=[("office_admin", 2), ("office_admin", 5)])
    assert access == Access(company_admin=False, office_ids=frozenset({2, 5}))
    assert access.manages(2)
    assert access.manages(5)
    assert not access.manages(1)
    assert not access.manages(3)


def test_an_office_admin_role_without_an_office_gives_no_office() -> None:
    access = Access.of(workspace_admin=False, roles=[("office_admin", None)])
    assert access == Access(company_admin=False, office_ids=frozenset())


def test_a_member_without_roles_manages_nothing() -> None:
    access = Access.of(workspace_admin=False, roles=[])
    assert access == Access(company_admin=False, office_ids=frozenset())
    assert not access.manages(1)


def test_roles_may_come_from_a_one_shot_iterator() -> None:
    roles = iter([("office_admin", 4), ("office_admin", 9)])
    assert Access.of(workspace_admin=False, roles=roles).office_ids == frozenset({4, 9})


def test_an_office_admin_asking_for_a_company_admin_action_is_told_who_can() -> None:
    access = Access.of(workspace_admin=False, roles=[("office_admin", 2)])
    with pytest.raises(NotAllowed) as refused:
        access.require_company_admin("change roles")
    assert refused.value.message == (
        "You cannot change roles: only company admins can. Ask one of them to do it."
    )


def test_a_member_asking_for_a_company_admin_action_is_refused() -> None:
    with pytest.raises(NotAllowed, match="You cannot cancel the subscription: only company"):
        Access.of(workspace_admin=False, roles=[]).require_company_admin("cancel the subscription")


def test_an_office_admin_may_act_in_their_own_office() -> None:
    access = Access.of(workspace_admin=False, roles=[("office_admin", 2)])
    access.require_office(2, "Berlin", "buy seats")


def test_an_office_admin_acting_in_another_office_is_told_who_can() -> None:
    access = Access.of(workspace_admin=False, roles=[("office_admin", 2)])
    with pytest.raises(NotAllowed) as refused:
        access.require_office(3, "Lisbon", "buy seats")
    assert refused.value.message == (
        "You cannot buy seats: only company admins and admins of Lisbon can. "
        "Ask one of them to do it."
    )


def test_a_member_acting_in_an_office_is_told_who_can() -> None:
    with pytest.raises(NotAllowed) as refused:
        Access.of(workspace_admin=False, roles=[]).require_office(1, "Main", "assign seats")
    assert refused.value.message == (
        "You cannot assign seats: only company admins and admins of Main can. "
        "Ask one of them to do it."
    )
