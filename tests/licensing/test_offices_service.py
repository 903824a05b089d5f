"""The settings and reads next to offices: the billing time zone, and who may list seats."""

from __future__ import annotations

import pytest

from licensing import errors
from licensing.requests import (
    SetTimeZone,
)
from licensing.schemas import AccountKey
from licensing.service import LicensingService
from tests.conftest import OWNER
from tests.licensing.helpers import member


def test_a_member_is_refused_the_list_of_who_holds_seats(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.NotAllowed) as refused:
        service.users(account, member("UDANA"))
    assert refused.value.message == (
        "You cannot list who holds seats: only company admins and office admins can. "
        "Ask one of them to do it."
    )


@pytest.mark.parametrize("typed", ["europe/berlin", "EUROPE/BERLIN", " Europe/Berlin "])
def test_a_time_zone_is_taken_in_any_case_and_stored_as_iana_spells_it(
    service: LicensingService, account: AccountKey, typed: str
) -> None:
    status = service.handle(account, OWNER, SetTimeZone(time_zone=typed))
    assert status.subscription.time_zone == "Europe/Berlin"


def test_a_misspelt_time_zone_is_refused_with_the_near_one(
    service: LicensingService, account: AccountKey
) -> None:
    with pytest.raises(errors.InvalidTimeZone) as refused:
        service.handle(account, OWNER, SetTimeZone(time_zone="Europe/Berln"))
    assert refused.value.message == "“Europe/Berln” is not a time zone. Did you mean Europe/Berlin?"


def test_installing_takes_a_time_zone_in_any_case(service: LicensingService) -> None:
    key = AccountKey(team_id="TTZ")
    assert service.install(key, "U1", "asia/tokyo").time_zone == "Asia/Tokyo"
