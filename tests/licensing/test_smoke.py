from licensing.schemas import AccountKey
from licensing.service import LicensingService
from tests.conftest import OWNER


def test_a_new_account_starts_on_a_trial_with_a_main_office(
    service: LicensingService, account: AccountKey
) -> None:
    status = service.status(account, OWNER)
    assert status.subscription.status == "trialing"
    assert status.offices == ["Main"]
