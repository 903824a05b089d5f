"""localstripe, really started once for the session, emptied before each test; the proxy that
puts faults or stand-ins between it and the provider; licensebot's billing and HTTP server on
the real provider."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import stripe
from sqlalchemy import Engine

from bot.app import build_app
from bot.payments import WEBHOOK_PATH
from bot.server import SlackServer
from bot.settings import Settings
from licensing.billing import Billing
from licensing.catalog import Catalog
from licensing.collection import Dunning
from licensing.db import make_session_factory
from licensing.service import LicensingService
from payments.stripe import StripeProvider
from tests.conftest import FakeClock
from tests.payments.accounts import subscribe_paying_by
from tests.payments.helpers import API_KEY, CHECKOUT, WEBHOOK_SECRET
from tests.payments.servers import Proxy, serving, serving_licensebot

LAUNCHER = Path(__file__).with_name("localstripe_server.py")
STARTUP_SECONDS = 60
SLACK_SIGNING_SECRET = "payments-signing-secret"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    request = urllib.request.Request(
        f"{url}/v1/customers", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_answering(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not answers(url):
        if server.poll() is not None:
            pytest.fail(f"localstripe exited with {server.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"localstripe did not answer GET {url}/v1/customers with 200 within"
                f" {STARTUP_SECONDS} s:\n{log.read_text()}"
            )
        time.sleep(0.2)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """localstripe's base URL. It runs in a directory of its own and from scratch."""
    place = tmp_path_factory.mktemp("localstripe")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = place / "localstripe.log"
    command = [sys.executable, str(LAUNCHER), "--port", str(port), "--from-scratch"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=place, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(server, url, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(autouse=True)
def empty_store(localstripe: str) -> None:
    request = urllib.request.Request(f"{localstripe}/_config/data", method="DELETE")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.fixture
def provider(localstripe: str) -> StripeProvider:
    return StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=localstripe)


@pytest.fixture
def client(localstripe: str) -> stripe.StripeClient:
    """The tests' own view of the fake Stripe, to set it up and to check what happened there."""
    return stripe.StripeClient(API_KEY, base_addresses={"api": localstripe})


@pytest.fixture
def proxy(localstripe: str) -> Proxy:
    return Proxy(localstripe)


@pytest.fixture
def proxied(proxy: Proxy) -> Iterator[StripeProvider]:
    """A provider whose every request goes through the proxy."""
    with serving(proxy.app()) as url:
        yield StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=url)


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's waits between its own retries, shortened: what is retried stays the same."""
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.05)


@pytest.fixture
def checkout(localstripe: str) -> Iterator[tuple[Proxy, StripeProvider]]:
    """localstripe has no Checkout: the proxy stands in for creating a Checkout Session."""
    proxy = Proxy(localstripe)
    session = {"id": "cs_test_a1", "object": "checkout.session", "mode": "setup", "url": CHECKOUT}
    proxy.answer("POST", "/v1/checkout/sessions", 200, session)
    with serving(proxy.app()) as url:
        yield proxy, StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=url)


# licensebot on the real provider, on the same database and clock as `collecting` and `collector`


@pytest.fixture
def billing(
    engine: Engine, catalog: Catalog, clock: FakeClock, provider: StripeProvider
) -> Billing:
    return Billing(make_session_factory(engine), catalog, clock, provider, Dunning())


@pytest.fixture
def subscribed(
    collecting: LicensingService,
    billing: Billing,
    checkout: tuple[Proxy, StripeProvider],
    client: stripe.StripeClient,
    engine: Engine,
    catalog: Catalog,
    clock: FakeClock,
) -> Callable[[str], str]:
    """Subscribes TEAM paying by a card number (`accounts.subscribe_paying_by`); the card page
    is opened through the Checkout stand-in."""
    card_page = Billing(make_session_factory(engine), catalog, clock, checkout[1], Dunning())

    def paying_by(number: str) -> str:
        return subscribe_paying_by(number, collecting, card_page, billing, client, engine)

    return paying_by


@pytest.fixture
def webhook(collecting: LicensingService, catalog: Catalog, billing: Billing) -> Iterator[str]:
    """The URL of licensebot's Stripe webhook endpoint, served over HTTP with `billing`."""
    settings = Settings(
        slack_bot_token="xoxb-payments",
        slack_signing_secret=SLACK_SIGNING_SECRET,
        slack_api_url=f"http://127.0.0.1:{free_port()}/api/",  # never called here
    )
    server = SlackServer(build_app(settings, collecting, catalog), SLACK_SIGNING_SECRET, billing)
    with serving_licensebot(server) as url:
        yield url + WEBHOOK_PATH
