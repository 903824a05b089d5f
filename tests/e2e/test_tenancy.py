"""Every Slack a company has, end to end: Enterprise Grid workspaces, org-wide installs, Slack
Connect users and uninstalls, with the payload shapes Slack sends for each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.app import build_app
from bot.notices import dispatcher
from bot.server import EVENTS_PATH
from bot.settings import Settings
from licensing.catalog import Catalog
from licensing.db import make_session_factory
from licensing.scheduled import ScheduledWork
from licensing.schemas import AccountKey, Actor
from licensing.service import LicensingService
from scheduler.delivery import DeliveryReport
from slack_standin.requester import SlackRequester
from slack_standin.server import FakeSlack
from slack_standin.workspace import Workspace
from tests.conftest import FakeClock
from tests.e2e.conftest import SIGNING_SECRET, oauth_install, serving
from tests.orgs import acme, acme_eu, partner, solo

ACME = AccountKey(team_id="T0001", enterprise_id="E0001")
ACME_EU = AccountKey(team_id="T0002", enterprise_id="E0001")
ACME_ORG = AccountKey(team_id="E0001", enterprise_id="E0001")
OLIVIA = Actor(user_id="UOWNER", workspace_admin=True)


@dataclass
class Org:
    fake: FakeSlack
    base: str
    service: LicensingService
    scheduled: ScheduledWork
    settings: Settings
    engine: Engine

    def requester(self, workspace: Workspace, *, org_wide: bool = False) -> SlackRequester:
        url = self.base + EVENTS_PATH
        return SlackRequester(url, SIGNING_SECRET, workspace, self.fake, org_wide=org_wide)

    def deliver(self) -> DeliveryReport:
        sending = dispatcher(self.settings, self.engine, self.scheduled)
        assert sending is not None
        return sending.deliver_due()

    def workspace(self, team_id: str) -> Workspace:
        return next(ws for ws in self.fake.workspaces if ws.team_id == team_id)


def _org(engine: Engine, catalog: Catalog, clock: FakeClock, **slack: str) -> Iterator[Org]:
    with FakeSlack(acme(), others=[acme_eu(), partner(), solo()]) as fake:
        fake.trigger_ttl = None
        settings = Settings(
            slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url, **slack
        )
        sessions = make_session_factory(engine)
        service = LicensingService(sessions, catalog, clock)
        scheduled = ScheduledWork(sessions, catalog, clock)
        with serving(build_app(settings, service, catalog, engine)) as base:
            yield Org(fake, base, service, scheduled, settings, engine)


@pytest.fixture
def one_token(engine: Engine, catalog: Catalog, clock: FakeClock) -> Iterator[Org]:
    """licensebot with a single bot token, installed in Acme, a workspace of a Grid org."""
    yield from _org(engine, catalog, clock, slack_bot_token="xoxb-e2e")


@pytest.fixture
def oauth(engine: Engine, catalog: Catalog, clock: FakeClock) -> Iterator[Org]:
    """licensebot installed with OAuth, in as many workspaces or orgs as the test installs."""
    yield from _org(engine, catalog, clock, slack_client_id="111.222", slack_client_secret="shh")


def _values(send: SlackRequester, count: str) -> dict[str, Any]:
    return {
        "count": {"count_value": send.number_input(count)},
        "product": {"product_value": send.static_select("talk")},
        "office": {"office_value": send.static_select("Main")},
    }


def _buy(org: Org, send: SlackRequester, count: str, user: str = "UOWNER") -> dict[str, Any]:
    send.slash_command(f"buy {count} talk", user=user)
    entry = org.fake.latest_view()
    review = send.view_submission(entry, user=user, values=_values(send, count)).json()
    confirm = {**entry, **review["view"], "id": entry["id"]}
    answer: dict[str, Any] = send.view_submission(confirm, user=user).json()
    return answer


def _accounts(org: Org) -> list[tuple[str, str]]:
    return [(a.team_id, a.enterprise_id) for a in org.service.export()]


def test_a_grid_purchase_lands_on_the_one_right_account_as_reviewed(one_token: Org) -> None:
    send = one_token.requester(one_token.workspace("T0001"))
    send.slash_command("status")

    done = _buy(one_token, send, "3")

    assert "<@UOWNER> bought 3 Talk seats in Main" in str(done["view"])
    assert _accounts(one_token) == [("T0001", "E0001")]
    [pool] = one_token.service.status(ACME, OLIVIA).pools
    assert pool.seats.purchased == 3


def test_an_admin_of_one_grid_workspace_gains_no_rights_in_another(oauth: Org) -> None:
    assert oauth_install(oauth.base, "code-UOWNER-T0001") == 200
    assert oauth_install(oauth.base, "code-UDANA-T0002") == 200
    in_eu = oauth.requester(oauth.workspace("T0002"))
    in_hq = oauth.requester(oauth.workspace("T0001"))

    assert "Subscription *trialing*" in str(in_eu.slash_command("status", user="UDANA").json())
    answer = in_hq.slash_command("admins add <@UDANA>", user="UDANA").json()

    assert "You cannot" in answer["text"] and "only company admins" in answer["text"]
    dana = Actor(user_id="UDANA")
    assert not oauth.service.status(ACME, dana).is_company_admin
    assert oauth.service.status(ACME_EU, dana).is_company_admin


def test_an_org_wide_install_opens_one_account_for_the_org_and_delivers_its_notices(
    oauth: Org,
) -> None:
    assert oauth_install(oauth.base, "org-UDANA-E0001") == 200
    assert _accounts(oauth) == [("E0001", "E0001")]
    assert oauth.service.status(ACME_ORG, Actor(user_id="UDANA")).is_company_admin

    in_eu = oauth.requester(oauth.workspace("T0002"), org_wide=True)
    in_hq = oauth.requester(oauth.workspace("T0001"), org_wide=True)
    assert "Subscription *trialing*" in str(in_eu.slash_command("status", user="UEVA").json())
    in_hq.slash_command("channel <#C0GENERAL|general>")
    done = _buy(oauth, in_hq, "2")
    assert "bought 2 Talk seats" in str(done["view"])

    assert oauth.deliver().sent == 1
    [log] = [c for c in oauth.fake.calls("chat.postMessage") if c.params.get("channel")]
    assert (log.token, log.params["channel"]) == ("xoxb-E0001-org", "C0GENERAL")
    assert _accounts(oauth) == [("E0001", "E0001")]


def test_an_uninstall_deletes_the_tokens_and_gives_up_notices_and_a_reinstall_resumes(
    oauth: Org, engine: Engine
) -> None:
    assert oauth_install(oauth.base, "code-UOWNER-T0001") == 200
    send = oauth.requester(oauth.workspace("T0001"))
    send.slash_command("channel <#C0GENERAL|general>")
    _buy(oauth, send, "2")  # its log line waits in the outbox

    assert send.app_uninstalled().status == 200

    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM slack_bots")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM slack_installations")).scalar_one() == 0
    assert oauth.deliver().sent == 0
    last = oauth.service.audit(ACME, OLIVIA).entries[-1]
    assert last.event == "notices_undeliverable"
    assert last.detail == "1 notice: licensebot was uninstalled from the workspace"
    status = oauth.service.status(ACME, OLIVIA)
    assert (status.subscription.status, status.notice_channel) == ("trialing", "C0GENERAL")

    assert oauth_install(oauth.base, "code-UOWNER-T0001") == 200
    _buy(oauth, send, "1")
    assert oauth.deliver().sent == 1


def test_a_slack_connect_user_from_another_org_cannot_buy(one_token: Org) -> None:
    send = one_token.requester(one_token.workspace("T0001"))
    send.slash_command("status")  # Olivia opens the account
    pat_home = one_token.workspace("T0900")  # Pat is an owner and admin there

    answer = send.slash_command(
        "buy 3 talk", user="UPAT", channel="C0SHARED", from_workspace=pat_home
    ).json()

    assert "You cannot buy seats: only company admins and office admins can" in answer["text"]
    assert one_token.fake.calls("views.open") == []
    assert one_token.service.status(ACME, OLIVIA).pools == []
    assert _accounts(one_token) == [("T0001", "E0001")]


def test_a_slack_connect_user_cannot_confirm_a_purchase_opened_by_an_admin(one_token: Org) -> None:
    send = one_token.requester(one_token.workspace("T0001"))
    send.slash_command("status")
    send.slash_command("buy 3 talk")
    entry = one_token.fake.latest_view()
    review = send.view_submission(entry, values=_values(send, "3")).json()
    confirm = {**entry, **review["view"], "id": entry["id"]}

    answer = send.view_submission(
        confirm, user="UPAT", from_workspace=one_token.workspace("T0900")
    ).json()

    assert "Nothing changed" in str(answer["view"]["title"])
    assert one_token.service.invoices(ACME, OLIVIA).invoices == []
    assert one_token.service.status(ACME, OLIVIA).pools == []


def test_a_purchase_in_a_shared_channel_by_the_installing_admin_is_charged_once(
    one_token: Org,
) -> None:
    send = one_token.requester(one_token.workspace("T0001"))
    send.slash_command("status")
    send.slash_command("subscription billing Visa ending 4242")
    done = _buy(one_token, send, "2")
    assert "Done" in str(done["view"]["title"])
    [pool] = one_token.service.status(ACME, OLIVIA).pools
    assert pool.seats.purchased == 2 and pool.unit_price == Decimal("15.00")
