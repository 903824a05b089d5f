"""Mask card data already stored in billing details.

Billing details are now refused when they hold a card-like number or a card security code.
Those stored before keep only the last 4 digits of each card number (`•••• 4242`), and `•••`
for a security code after its label. What was masked is gone: the downgrade leaves it so.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from licensing.card_data import masked

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

accounts = sa.table(
    "accounts", sa.column("id", sa.Integer()), sa.column("billing_details", sa.String(200))
)


def upgrade() -> None:
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(accounts.c.id, accounts.c.billing_details).where(
            accounts.c.billing_details.is_not(None)
        )
    ).all()
    for account_id, details in stored:
        scrubbed = masked(details)
        if scrubbed != details:
            connection.execute(
                accounts.update()
                .where(accounts.c.id == account_id)
                .values(billing_details=scrubbed)
            )


def downgrade() -> None:
    """What was masked is gone; there is nothing to put back."""
