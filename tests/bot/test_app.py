"""The Bolt app as `licensebot run` builds it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import build_app
from bot.settings import Settings
from licensing.catalog import Catalog
from licensing.db import make_engine, make_session_factory
from licensing.service import LicensingService
from tests.conftest import FakeClock


def test_a_bot_token_in_the_environment_draws_no_warning_and_is_the_one_the_app_uses(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    catalog: Catalog,
    clock: FakeClock,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = Settings(
        _env_file=None, slack_signing_secret="secret"
    )  # SLACK_BOT_TOKEN from the environment
    engine = make_engine(f"sqlite:///{tmp_path / 'licensebot.db'}")
    service = LicensingService(make_session_factory(engine), catalog, clock)

    with caplog.at_level(logging.WARNING):
        app = build_app(settings, service, catalog)

    assert [record.getMessage() for record in caplog.records] == []
    assert app.client.token == "xoxb-from-the-environment"
    engine.dispose()
