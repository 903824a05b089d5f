"""Every setting licensebot reads from the environment (or a `.env` file), in one place."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LICENSEBOT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///licensebot.db",
        validation_alias=AliasChoices("DATABASE_URL", "LICENSEBOT_DATABASE_URL"),
    )
    catalog: Path | None = None
    test_clock: bool = False
    max_seats: int = Field(default=10_000, ge=1)
    trial_days: int = Field(default=14, ge=0)
