"""Deliveries that edit a posted notice: `action` "post" (every delivery so far) or "close",
which edits the message a post left once the period the notice is about has closed, so that
its buttons go. A notice has at most one of each per place.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UNIQUE = "uq_notice_deliveries_notice_id"


def upgrade() -> None:
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("action", sa.String(length=8), server_default="post", nullable=False)
        )
        batch_op.drop_constraint(UNIQUE, type_="unique")
        batch_op.create_unique_constraint(UNIQUE, ["notice_id", "target", "action"])


def downgrade() -> None:
    op.execute("DELETE FROM notice_deliveries WHERE action <> 'post'")
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(UNIQUE, type_="unique")
        batch_op.create_unique_constraint(UNIQUE, ["notice_id", "target"])
        batch_op.drop_column("action")
