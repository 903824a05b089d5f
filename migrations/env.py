"""Alembic environment: runs against the connection `licensing.migrate` hands over.

The target is licensing's tables. The tables of slack_sdk's installation stores (created by
0002) are described by the Slack app, which migrating must not import; so Alembic compares
only the tables licensing declares, and does not take the others for tables to drop.
"""

from __future__ import annotations

from alembic import context

from licensing.orm import Base


def _licensing_table(name: str | None, type_: str, parent_names: object) -> bool:
    return type_ != "table" or name in Base.metadata.tables


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_name=_licensing_table,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
