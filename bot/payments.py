"""The payment provider chosen in the settings, and the HTTP endpoint of its notifications."""

from __future__ import annotations

import logging

from bot.settings import Settings
from licensing.billing import Billing
from licensing.payments import PaymentProvider, WebhookRejected

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/stripe/webhook"


def payment_provider(settings: Settings) -> PaymentProvider | None:
    """The provider that collects invoices; None when invoices are records only."""
    settings.check_payments()
    if settings.payments == "none":
        return None
    from payments.stripe import StripeProvider  # only deployments that collect need the SDK

    assert settings.stripe_api_key and settings.stripe_webhook_secret  # check_payments did
    return StripeProvider(
        settings.stripe_api_key, settings.stripe_webhook_secret, settings.stripe_api_base
    )


def receive_notification(billing: Billing, payload: bytes, signature: str) -> tuple[int, str]:
    """The HTTP status and body to answer a provider notification with: 400 for one that is
    not the provider's (it is not retried), 200 once it is acted on or known. An error while
    acting on it is a 500, so the provider sends it again later."""
    try:
        event = billing.provider.read_event(payload, signature)
    except WebhookRejected as rejected:
        log.warning("payment notification refused: %s", rejected)
        return 400, "refused"
    if event is None:
        return 200, "ignored"
    acted = billing.apply(event)
    return 200, "ok" if acted else "already done"
