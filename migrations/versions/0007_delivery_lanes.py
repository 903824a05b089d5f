"""Delivery lanes, and the indexes of a claim that takes many deliveries at once.

`lane` 0 (prompt) holds what a person's change wrote and retries; 1 (bulk) what the sweeps
wrote. A claim takes the prompt lane first, and never a delivery whose place has an earlier
one still in another dispatcher's hands, so each place's posts stay in the order written.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lane", sa.SmallInteger(), server_default="1", nullable=False)
        )
        batch_op.drop_index("ix_notice_deliveries_due")
        batch_op.create_index(
            "ix_notice_deliveries_due", ["state", "lane", "next_attempt_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_notice_deliveries_target", ["target", "state", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_deliveries_target")
        batch_op.drop_index("ix_notice_deliveries_due")
        batch_op.create_index(
            "ix_notice_deliveries_due", ["state", "next_attempt_at"], unique=False
        )
        batch_op.drop_column("lane")
