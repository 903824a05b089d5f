"""What Stripe's errors mean to licensebot: the port's `ProviderUnavailable`, or a refusal."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import stripe

from licensing.payments import ProviderUnavailable

P = ParamSpec("P")
R = TypeVar("R")

RATE_LIMIT_RETRIES = 3
LONGEST_WAIT_SECONDS = 10.0


class InvoiceMismatch(Exception):
    """Stripe's invoice for a licensebot invoice would not charge exactly its lines: it is
    never paid, and a person has to look at it."""


def provider_call(method: Callable[P, R]) -> Callable[P, R]:
    """`method`, made again after a rate limit, with Stripe's 'not now' as `ProviderUnavailable`.

    The SDK retries connection errors and 5xx answers itself (max_network_retries), but a 429
    only when Stripe marks it retryable. A 429 means nothing was done, and every provider
    method finds what an earlier attempt made, so the whole method is simply made again.
    """

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        with _as_port_errors():
            for attempt in range(RATE_LIMIT_RETRIES):
                try:
                    return method(*args, **kwargs)
                except stripe.RateLimitError as error:
                    time.sleep(_wait_seconds(error, attempt))
            return method(*args, **kwargs)

    return call


@contextmanager
def _as_port_errors() -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as error:
        if _unavailable(error):
            raise ProviderUnavailable(f"Stripe: {error.user_message or error}") from error
        raise


def _unavailable(error: stripe.StripeError) -> bool:
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    # An APIError also stands for any answer that is not Stripe's JSON (a 404 page, say):
    # only a server error, or no answer, says "try again later".
    return isinstance(error, stripe.APIError) and (error.http_status or 500) >= 500


def _wait_seconds(error: stripe.RateLimitError, attempt: int) -> float:
    headers = {name.lower(): value for name, value in (error.headers or {}).items()}
    try:
        wait = float(headers["retry-after"])
    except (KeyError, ValueError):
        wait = 0.5 * 2**attempt
    return min(max(wait, 0.0), LONGEST_WAIT_SECONDS)
