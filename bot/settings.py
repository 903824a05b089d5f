"""Every setting licensebot reads from the environment (or a `.env` file), in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


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
    sweep_seconds: float = Field(default=60, gt=0)  # how often period ends and reminders run
    delivery_seconds: float = Field(default=5, gt=0)  # how often the notice outbox is sent
    delivery_concurrency: int = Field(default=32, ge=1, le=1000)  # notices in flight at once

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    # HTTP server processes: the app is CPU-bound Python, so one process uses one core.
    web_workers: int = Field(default=1, ge=1, le=64)
    log_level: LogLevel = "INFO"  # what `run` and `scheduler` log

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    # Payments: "none" keeps invoices as records only; "stripe" collects them through Stripe.
    payments: Literal["none", "stripe"] = "none"
    stripe_api_key: str | None = Field(default=None, validation_alias="STRIPE_API_KEY")
    stripe_webhook_secret: str | None = Field(
        default=None, validation_alias="STRIPE_WEBHOOK_SECRET"
    )
    stripe_api_base: str | None = Field(default=None, validation_alias="STRIPE_API_BASE")
    # Days after a charge first fails on which it is tried again; past due after the last.
    payment_retry_days: Annotated[tuple[int, ...], NoDecode] = (3, 5, 7)
    payment_seconds: float = Field(default=30, gt=0)  # how often due charges are collected
    payment_concurrency: int = Field(default=8, ge=1, le=100)  # provider calls at once
    # Where the provider's card page sends the admin back to once a card is saved.
    card_return_url: str = "https://slack.com/"

    @field_validator("payment_retry_days", mode="before")
    @classmethod
    def _days_from_text(cls, value: object) -> object:
        """`3,5,7` in the environment; each a whole number of days, increasing."""
        if isinstance(value, str):
            value = tuple(int(day) for day in value.replace(" ", "").split(",") if day)
        return value

    @field_validator("payment_retry_days")
    @classmethod
    def _days_increase(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(day < 1 for day in days) or list(days) != sorted(set(days)):
            raise ValueError("retry days must be whole days of 1 or more, increasing: e.g. 3,5,7")
        return days

    def check_payments(self) -> None:
        """Stop start-up with a message naming what the chosen provider is missing."""
        if self.payments != "stripe":
            return
        missing = [
            name
            for name, value in (
                ("STRIPE_API_KEY", self.stripe_api_key),
                ("STRIPE_WEBHOOK_SECRET", self.stripe_webhook_secret),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(
                f"{' and '.join(missing)} must be set to collect payments through Stripe "
                "(LICENSEBOT_PAYMENTS=stripe; see README: Payments)."
            )
        if self.slack_app_token:
            raise ConfigurationError(
                "Stripe's notifications come over HTTP (POST /stripe/webhook): run in HTTP "
                "mode (unset SLACK_APP_TOKEN) to collect payments through Stripe."
            )

    @property
    def uses_oauth(self) -> bool:
        return bool(self.slack_client_id or self.slack_client_secret)

    def check_slack(self) -> None:
        """Stop start-up with a message naming what is missing or contradictory."""
        if self.uses_oauth and self.slack_bot_token:
            raise ConfigurationError(
                "Set SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "to install in many workspaces with OAuth, not both."
            )
        missing = []
        if self.uses_oauth:
            missing += [
                n
                for n, v in (
                    ("SLACK_CLIENT_ID", self.slack_client_id),
                    ("SLACK_CLIENT_SECRET", self.slack_client_secret),
                )
                if not v
            ]
            if self.slack_app_token:
                raise ConfigurationError(
                    "OAuth installs need HTTP mode (/slack/install): unset SLACK_APP_TOKEN."
                )
        elif not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
        if not self.slack_app_token and not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET")  # HTTP mode verifies every request with it
        if missing:
            raise ConfigurationError(
                f"{' and '.join(missing)} must be set to run the Slack app "
                "(see README: Running with Slack)."
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise ConfigurationError("SLACK_APP_TOKEN must be an app-level token (xapp-…).")


class ConfigurationError(Exception):
    """A setting is missing or contradicts another."""
