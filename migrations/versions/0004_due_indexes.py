"""Order the due-time indexes of subscriptions by account too.

The sweeps claim the oldest due subscription with ORDER BY due time, account id and LIMIT 1.
With the due time alone in the index, every subscription due at the same moment was read and
sorted for each claim, so a sweep of n accounts due together did n² work.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_subscriptions_due": "current_period_end",
    "ix_subscriptions_remind_at": "remind_at",
}


def upgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        for name, due_at in INDEXES.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, [due_at, "account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        for name, due_at in INDEXES.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, [due_at], unique=False)
