"""Building licensebot: the payment provider, given or chosen by the settings."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.bootstrap import build
from bot.settings import Settings
from tests.licensing.fake_provider import FakeProvider


def settings_on_a_copy(tmp_path: Path, sqlite_template: Path) -> Settings:
    path = tmp_path / "licensebot.db"
    shutil.copy(sqlite_template, path)
    return Settings(database_url=f"sqlite:///{path}", payments="none")


def test_a_provider_given_to_build_collects_invoices_and_makes_the_card_page_links(
    tmp_path: Path, sqlite_template: Path
) -> None:
    provider = FakeProvider()
    components = build(settings_on_a_copy(tmp_path, sqlite_template), provider=provider)
    try:
        assert components.billing is not None and components.billing.provider is provider
        assert components.sweeper.collector is not None
        assert components.sweeper.collector.provider is provider
    finally:
        components.engine.dispose()


def test_without_a_provider_invoices_are_records_only(
    tmp_path: Path, sqlite_template: Path
) -> None:
    components = build(settings_on_a_copy(tmp_path, sqlite_template))
    try:
        assert components.billing is None and components.sweeper.collector is None
    finally:
        components.engine.dispose()
