"""Alembic environment: runs against the connection `licensing.migrate` hands over."""

from __future__ import annotations

from alembic import context

from bot.installation import metadata as slack_install_metadata
from licensing.orm import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=[Base.metadata, slack_install_metadata],
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
