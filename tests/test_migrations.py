"""The migrations build exactly the schema the code declares, and undo cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select

from bot.installation import metadata as slack_install_metadata
from licensing.migrate import alembic_config, upgrade
from licensing.orm import Base
from tests.conftest import START


def test_the_migrated_schema_matches_the_tables_in_the_code(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        differences = compare_metadata(context, [Base.metadata, slack_install_metadata])  # type: ignore[arg-type]
    assert differences == []


def test_autogenerate_finds_nothing_and_leaves_the_slack_stores_alone(engine: Engine) -> None:
    """The environment compares licensing's tables only, and leaves the Slack stores' alone."""
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.check(config)


def test_migrations_go_down_to_nothing_and_up_again(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "ledger" in inspect(engine).get_table_names()


def test_card_numbers_stored_before_0005_are_masked_to_their_last_four_digits(
    engine: Engine,
) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    stored = {
        "T1": "Visa 4242 4242 4242 4242, exp 12/28, cvc 123",
        "T2": "Acme Ltd, VAT GB123456789, +44 20 7946 0958",
        "T3": None,
    }
    accounts = Base.metadata.tables["accounts"]
    with engine.begin() as conn:
        rows = [
            {"team_id": t, "billing_details": d, "created_at": START} for t, d in stored.items()
        ]
        conn.execute(insert(accounts), rows)
    upgrade(engine)
    with engine.connect() as conn:
        details = dict(conn.execute(select(accounts.c.team_id, accounts.c.billing_details)).all())
    assert details == {
        "T1": "Visa •••• 4242, exp 12/28, cvc •••",
        "T2": "Acme Ltd, VAT GB123456789, +44 20 7946 0958",
        "T3": None,
    }


def test_the_queries_of_requests_and_period_ends_have_indexes(engine: Engine) -> None:
    indexed = {
        table: {tuple(ix["column_names"]) for ix in inspect(engine).get_indexes(table)}
        | {tuple(uq["column_names"]) for uq in inspect(engine).get_unique_constraints(table)}
        for table in ("accounts", "pools", "assignments", "subscriptions", "ledger", "invoices")
    }
    assert ("team_id", "enterprise_id") in indexed["accounts"]
    assert ("office_id", "product_id") in indexed["pools"]
    assert ("account_id", "user_id", "product_id") in indexed["assignments"]
    assert ("pool_id", "user_id") in indexed["assignments"]
    assert ("current_period_end", "account_id") in indexed["subscriptions"]
    assert ("remind_at", "account_id") in indexed["subscriptions"]
    assert ("account_id", "id") in indexed["ledger"]
    assert ("account_id", "id") in indexed["invoices"]
