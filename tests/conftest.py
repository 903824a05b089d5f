"""Database fixtures: every test that asks for `engine` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text, update
from sqlalchemy.orm import Session

from devtools.postgres import find_pg_bin, running_postgres
from licensing import orm
from licensing.catalog import Catalog, load_catalog
from licensing.collection import Dunning
from licensing.db import make_engine, make_session_factory
from licensing.migrate import upgrade
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from licensing.transactions import Policy
from scheduler.collector import Collector
from tests.licensing.fake_provider import FakeProvider

START = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    configured = os.environ.get("LICENSEBOT_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    if find_pg_bin() is None:
        pytest.skip(
            "PostgreSQL is not installed here; .ci/run installs it (apt-get install postgresql)"
        )
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A migrated database that each test copies."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS licensebot_template"))
        conn.execute(text("CREATE DATABASE licensebot_template"))
    admin.dispose()
    engine = make_engine(postgres_url.rsplit("/", 1)[0] + "/licensebot_template")
    upgrade(engine)
    engine.dispose()
    return "licensebot_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "licensebot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server_url = request.getfixturevalue("postgres_url")
    template = request.getfixturevalue("postgres_template")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine: Engine, catalog: Catalog, clock: FakeClock) -> LicensingService:
    return LicensingService(make_session_factory(engine), catalog, clock, Policy())


@pytest.fixture
def scheduled(engine: Engine, catalog: Catalog, clock: FakeClock) -> ScheduledWork:
    """The scheduler's work (period ends, reminders, the notice outbox) on the same database
    and clock as `service`."""
    return ScheduledWork(make_session_factory(engine), catalog, clock)


TEAM = AccountKey(team_id="T1")
OWNER = Actor(user_id="UOWNER")


@pytest.fixture
def account(service: LicensingService) -> AccountKey:
    """An account on its trial, installed by OWNER (a company admin)."""
    service.install(TEAM, OWNER.user_id)
    return TEAM


# payments


@pytest.fixture
def collecting(engine: Engine, catalog: Catalog, clock: FakeClock) -> LicensingService:
    """The service of a deployment that collects its invoices through a payment provider."""
    policy = Policy(dunning=Dunning())
    return LicensingService(make_session_factory(engine), catalog, clock, policy)


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def collector(
    engine: Engine, catalog: Catalog, clock: FakeClock, provider: FakeProvider
) -> Collector:
    work = ScheduledWork(make_session_factory(engine), catalog, clock, Dunning())
    return Collector(work, provider, concurrency=4, real_time=clock)


@pytest.fixture
def paying(collecting: LicensingService, engine: Engine) -> AccountKey:
    """An account with a customer at the provider, subscribed to 5 talk seats (15.00 USD
    each, monthly) from Jan 31: its first invoice, 75.00 USD, waits to be charged."""
    from tests.licensing.helpers import subscribe  # it imports this module

    collecting.install(TEAM, OWNER.user_id)
    with Session(engine) as session:
        card = {"card_brand": "visa", "card_last4": "4242", "card_expires": "12/2030"}
        session.execute(update(orm.Account).values(payment_customer="cus_1", **card))
        session.commit()
    subscribe(collecting, TEAM, seats=5)
    return TEAM
