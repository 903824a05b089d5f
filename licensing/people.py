"""Assigning and revoking seats (rules 4 and 5) and the roles of rule 11."""

from __future__ import annotations

from licensing import dunning, orm
from licensing.catalog import ProductKind
from licensing.context import Context, seat_counts, seats_of
from licensing.errors import AlreadyAssigned, LicenseRequired, NotAllowed, NotAssigned
from licensing.schemas import AssignmentChange, PoolHolders


def assign(
    context: Context, user_id: str, product_text: str, office_text: str | None
) -> AssignmentChange:
    product = context.product(product_text)
    office = context.office(office_text)
    context.access.require_office(office.id, office.name, "assign seats")
    dunning.check_allows(context, "assign seats")
    account_id = context.account.id
    if context.repo.assignment(account_id, user_id, product.id) is not None:
        raise AlreadyAssigned(user_id, product.name)
    if product.kind is ProductKind.ADD_ON:
        assert product.requires is not None
        if context.repo.assignment(account_id, user_id, product.requires) is None:
            required = context.catalog.get(product.requires)
            raise LicenseRequired(
                user_id, product.name, required.name if required else product.requires
            )
    pool = context.pool(office, product)
    after = seats_of(pool).assign_one(product.name)
    context.store(pool, after)
    context.repo.flush()
    context.repo.add(
        orm.Assignment(
            account_id=account_id,
            pool_id=pool.id,
            product_id=product.id,
            user_id=user_id,
            assigned_at=context.now,
        )
    )
    context.record(
        "seat_assigned", office_name=office.name, product_id=product.id, user_id=user_id, seats=1
    )
    return AssignmentChange(
        user_id=user_id,
        office=office.name,
        product_id=product.id,
        product_name=product.name,
        also_revoked=[],
        pool_after=seat_counts(after),
    )


def revoke(
    context: Context, user_id: str, product_text: str, *, dry_run: bool = False
) -> AssignmentChange:
    """Revoke a seat and the add-ons that depend on it; with `dry_run`, only say what would go."""
    product = context.product(product_text)
    assignment = context.repo.assignment(context.account.id, user_id, product.id)
    if assignment is None:
        raise NotAssigned(user_id, product.name)
    pool = context.pool_by_id(assignment.pool_id)
    office_name = context.office_name(pool.office_id)
    context.access.require_office(pool.office_id, office_name, "revoke seats")
    dunning.check_allows(context, "revoke seats")
    dependents = [
        held
        for held in context.repo.assignments_of(context.account.id, user_id)
        if (p := context.catalog.get(held.product_id)) is not None and p.requires == product.id
    ]
    after = seats_of(pool).release_one()
    if not dry_run:
        for held in [*dependents, assignment]:
            _release(context, held)
    names = [context.product(held.product_id).name for held in dependents]
    return AssignmentChange(
        user_id=user_id,
        office=office_name,
        product_id=product.id,
        product_name=product.name,
        also_revoked=names,
        pool_after=seat_counts(after),
    )


def _release(context: Context, assignment: orm.Assignment) -> None:
    pool = context.pool_by_id(assignment.pool_id)
    context.store(pool, seats_of(pool).release_one())
    context.repo.delete_assignment(assignment)
    context.record(
        "seat_revoked",
        office_name=context.office_name(pool.office_id),
        product_id=assignment.product_id,
        user_id=assignment.user_id,
        seats=1,
    )


def holders(
    context: Context, product_text: str | None, office_text: str | None, limit: int
) -> list[PoolHolders]:
    """Who holds the seats of each pool the actor manages (or of the office asked for).
    Members manage none: they are refused rather than shown an empty list."""
    access = context.access
    if not access.company_admin and not access.office_ids:
        raise NotAllowed("list who holds seats", "company admins and office admins")
    product_id = context.product(product_text).id if product_text else None
    office = context.office(office_text) if office_text else None
    if office is not None:
        context.access.require_office(office.id, office.name, "list users")
    result = []
    for pool in context.pools():
        wanted = product_id in (None, pool.product_id) and (
            pool.office_id == office.id if office else context.access.manages(pool.office_id)
        )
        if wanted:
            users = list(context.repo.holders(pool.id, limit=limit + 1))
            result.append(
                PoolHolders(
                    office=context.office_name(pool.office_id),
                    product_id=pool.product_id,
                    product_name=context.product(pool.product_id).name,
                    user_ids=users[:limit],
                    more=len(users) > limit,
                )
            )
    return result
