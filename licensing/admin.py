"""Roles, offices and account settings: company admins only."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from licensing import names, notices, orm
from licensing.context import Context
from licensing.errors import (
    InvalidLeadTime,
    InvalidTimeZone,
    LicensingError,
    MainOfficeStays,
    OfficeAlreadyExists,
    OfficeInUse,
)
from licensing.model import RoleName
from licensing.schemas import RoleView
from licensing.words import a, closest, plural


def grant_role(context: Context, user_id: str, role: RoleName, office_text: str | None) -> RoleView:
    context.access.require_company_admin("change admins")
    office = context.office(office_text) if role is RoleName.OFFICE_ADMIN else None
    office_id = office.id if office else None
    if _find_role(context, user_id, role, office_id) is None:
        context.repo.add(
            orm.Role(account_id=context.account.id, user_id=user_id, role=role, office_id=office_id)
        )
        context.record(
            "role_granted",
            user_id=user_id,
            office_name=office.name if office else None,
            detail=role,
        )
    return RoleView(user_id=user_id, role=role, office=office.name if office else None)


def revoke_role(
    context: Context, user_id: str, role: RoleName, office_text: str | None
) -> RoleView:
    context.access.require_company_admin("change admins")
    office = context.office(office_text) if role is RoleName.OFFICE_ADMIN else None
    row = _find_role(context, user_id, role, office.id if office else None)
    if row is None:
        where = f" of {office.name}" if office else ""
        raise LicensingError(
            f"<@{user_id}> is not {a(role.replace('_', ' '))}{where}; nothing changed."
        )
    context.repo.delete_role(row)
    context.record(
        "role_revoked", user_id=user_id, office_name=office.name if office else None, detail=role
    )
    return RoleView(user_id=user_id, role=role, office=office.name if office else None)


def _find_role(
    context: Context, user_id: str, role: RoleName, office_id: int | None
) -> orm.Role | None:
    return next(
        (
            r
            for r in context.repo.roles_of(context.account.id, user_id)
            if r.role == role and r.office_id == office_id
        ),
        None,
    )


def list_roles(context: Context) -> list[RoleView]:
    return [
        RoleView(
            user_id=r.user_id,
            role=r.role,
            office=context.office_name(r.office_id) if r.office_id else None,
        )
        for r in context.repo.roles(context.account.id)
    ]


def add_office(context: Context, text: str) -> None:
    context.access.require_company_admin("add offices")
    name = names.office_name(text)
    existing = context.find_office(name)
    if existing is not None:
        raise OfficeAlreadyExists(existing.name)
    context.add_office(name)
    context.record("office_added", office_name=name)


def rename_office(context: Context, office_text: str, new_text: str) -> None:
    """Invoices and the ledger keep the name an office had when they were written."""
    context.access.require_company_admin("rename offices")
    office = context.office(office_text)
    name = names.office_name(new_text)
    existing = context.find_office(name)
    if existing is not None and existing.id != office.id:
        raise OfficeAlreadyExists(existing.name)
    if name == office.name:
        return
    old = office.name
    context.rename_office(office, name)
    context.record("office_renamed", office_name=name, detail=f"was {old}")


def remove_office(context: Context, office_text: str) -> None:
    """Only an office that holds nothing: no seats (scheduled for removal or not), no
    assignments and no office admins. The first office, where requests that name none go,
    stays."""
    context.access.require_company_admin("remove offices")
    office = context.office(office_text)
    if office.id == context.offices()[0].id:
        raise MainOfficeStays(office.name)
    pools = [pool for pool in context.pools() if pool.office_id == office.id]
    admins = [r for r in context.repo.roles(context.account.id) if r.office_id == office.id]
    seats, assigned = sum(p.purchased for p in pools), sum(p.assigned for p in pools)
    if seats or assigned or admins:
        raise OfficeInUse(office.name, seats, assigned, len(admins))
    context.remove_office(office)
    context.record("office_removed", office_name=office.name)


def set_notice_channel(context: Context, channel_id: str) -> None:
    context.access.require_company_admin("choose the notice channel")
    context.account.notice_channel = channel_id
    context.record("notice_channel_set", detail=channel_id)


def set_notice_lead(context: Context, days: int) -> None:
    context.access.require_company_admin("change when reminders go out")
    if not 1 <= days <= notices.MAX_LEAD_DAYS:
        raise InvalidLeadTime(days, notices.MAX_LEAD_DAYS)
    context.account.notice_lead_days = days
    notices.plan_reminders(context)
    context.record("notice_lead_set", detail=plural(days, "day"))


@cache
def _zones_by_key() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def time_zone(name: str) -> str:
    """The IANA name as it is spelt (`europe/berlin` is `Europe/Berlin`), or a refusal."""
    name = name.strip()
    known = _zones_by_key().get(name.casefold())
    if known is not None:
        return known
    try:
        ZoneInfo(name)  # a name the list leaves out that the system still knows
    except (ZoneInfoNotFoundError, ValueError) as exc:
        guess = closest(name, _zones_by_key().values()) if name else None
        raise InvalidTimeZone(name, guess) from exc
    return name


def set_time_zone(context: Context, text: str) -> None:
    context.access.require_company_admin("change the billing time zone")
    name = time_zone(text)
    context.account.time_zone = name
    context.record("time_zone_set", detail=name)
