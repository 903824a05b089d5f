"""Which bot token posts an account's notices: found in the installation store as Bolt's
authorize finds it, for workspace and org-wide installs."""

from __future__ import annotations

from pathlib import Path

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import create_engine

from bot.installation import BOTS_TABLE, INSTALLATIONS_TABLE
from bot.notices import find_bot
from licensing.migrate import upgrade
from licensing.schemas import AccountKey


def store(tmp_path: Path) -> SQLAlchemyInstallationStore:
    engine = create_engine(f"sqlite:///{tmp_path / 'installs.db'}")
    upgrade(engine)
    return SQLAlchemyInstallationStore(
        client_id="111.222",
        engine=engine,
        installations_table_name=INSTALLATIONS_TABLE,
        bots_table_name=BOTS_TABLE,
    )


def install(
    installs: SQLAlchemyInstallationStore, team: str | None, enterprise: str | None, token: str
) -> None:
    installs.save(
        Installation(
            app_id="A1",
            enterprise_id=enterprise,
            team_id=team,
            user_id="UINSTALLER",
            bot_token=token,
            bot_id="B1",
            bot_user_id="UBOT",
            is_enterprise_install=team is None,
        )
    )


def test_a_workspace_account_posts_with_its_workspace_token(tmp_path: Path) -> None:
    installs = store(tmp_path)
    install(installs, "T1", None, "xoxb-T1")
    install(installs, "T2", "E1", "xoxb-T2")
    plain = find_bot(installs, AccountKey(team_id="T1"))
    assert plain is not None and plain.bot_token == "xoxb-T1"
    grid = find_bot(installs, AccountKey(team_id="T2", enterprise_id="E1"))
    assert grid is not None and grid.bot_token == "xoxb-T2"


def test_an_org_wide_account_posts_with_the_org_token(tmp_path: Path) -> None:
    installs = store(tmp_path)
    install(installs, None, "E1", "xoxb-E1-org")
    org = find_bot(installs, AccountKey(team_id="E1", enterprise_id="E1"))
    assert org is not None and org.bot_token == "xoxb-E1-org"


def test_a_grid_workspace_without_its_own_install_falls_back_to_the_org_install(
    tmp_path: Path,
) -> None:
    installs = store(tmp_path)
    install(installs, None, "E1", "xoxb-E1-org")
    found = find_bot(installs, AccountKey(team_id="T9", enterprise_id="E1"))
    assert found is not None and found.bot_token == "xoxb-E1-org"
    assert find_bot(installs, AccountKey(team_id="T9")) is None
