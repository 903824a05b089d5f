"""Payments: who invoices name (company, e-mail, address, VAT id), the account's customer at
the payment provider and the card it may show, the payment outbox (one row per invoice
collected), the provider notifications already acted on, and when a subscription fell past
due.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("billing_company", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("billing_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("billing_address", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("billing_vat_id", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("payment_customer", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("card_brand", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("card_last4", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("card_expires", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("payment_retry_days", sa.String(length=40), nullable=True))
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("past_due_since", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempt_open", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_invoice", sa.String(length=64), nullable=True),
        sa.Column("hosted_url", sa.String(length=500), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_payments_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_payments_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_payments_invoice_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_due", ["state", "next_attempt_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payments_account_id"), ["account_id", "id"], unique=False
        )
    op.create_table(
        "payment_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_events")),
    )


def downgrade() -> None:
    op.drop_table("payment_events")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_account_id"))
        batch_op.drop_index("ix_payments_due")
    op.drop_table("payments")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("past_due_since")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for column in (
            "payment_retry_days",
            "card_expires",
            "card_last4",
            "card_brand",
            "payment_customer",
            "billing_vat_id",
            "billing_address",
            "billing_email",
            "billing_company",
        ):
            batch_op.drop_column(column)
