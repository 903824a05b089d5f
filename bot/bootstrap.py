"""The one place licensebot is built: engine, clock, catalog, the service, the scheduler's
work and sweeper, and the Slack app on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.notices import dispatcher
from bot.payments import payment_provider
from bot.settings import Settings
from licensing.billing import Billing
from licensing.catalog import Catalog, load_catalog
from licensing.clock import Clock, StoredTestClock, SystemClock
from licensing.collection import Dunning
from licensing.db import make_engine, make_session_factory
from licensing.migrate import upgrade
from licensing.payments import PaymentProvider
from licensing.scheduled import ScheduledWork
from licensing.service import LicensingService
from licensing.transactions import Policy
from scheduler.collector import Collector
from scheduler.runner import Sweeper


@dataclass
class Components:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    catalog: Catalog
    clock: Clock
    service: LicensingService
    scheduled: ScheduledWork
    sweeper: Sweeper
    billing: Billing | None = None  # None when invoices are records only

    def slack_app(self, deliver_soon: Callable[[], None] | None = None) -> AsyncApp:
        """The Bolt app on these parts; `deliver_soon` wakes the notice dispatcher."""
        return build_app(
            self.settings, self.service, self.catalog, self.engine, deliver_soon, self.billing
        )


def build(
    settings: Settings | None = None,
    *,
    migrate_sqlite: bool = True,
    provider: PaymentProvider | None = None,
) -> Components:
    """Build everything from settings. An SQLite database is migrated on start; PostgreSQL
    is migrated only by `licensebot migrate`, so several processes never race to do it.
    `provider` collects invoices instead of the one the settings choose (the sandbox's
    simulated one)."""
    settings = settings or Settings()
    catalog = load_catalog(settings.catalog)
    engine = make_engine(settings.database_url)
    if migrate_sqlite and engine.dialect.name == "sqlite":
        upgrade(engine)
    session_factory = make_session_factory(engine)
    clock: Clock = SystemClock()
    if settings.test_clock:
        clock = StoredTestClock(session_factory)
        clock.start()
    provider = provider or payment_provider(settings)
    terms = Dunning(settings.payment_retry_days) if provider else None
    policy = Policy(max_seats=settings.max_seats, trial_days=settings.trial_days, dunning=terms)
    service = LicensingService(session_factory, catalog, clock, policy)
    scheduled = ScheduledWork(session_factory, catalog, clock, terms)
    sweeper = Sweeper(scheduled, dispatcher(settings, engine, scheduled))
    billing = None
    if provider is not None and terms is not None:
        billing = Billing(session_factory, catalog, clock, provider, terms)
        sweeper.collector = Collector(scheduled, provider, settings.payment_concurrency)
    return Components(
        settings, engine, session_factory, catalog, clock, service, scheduled, sweeper, billing
    )
