"""localstripe, started as the tests need it: `python localstripe_server.py --port N --from-scratch`.

Three changes to the fake, made here rather than worked around in the provider:
- localstripe creates an invoice only for a customer with a subscription (otherwise it answers
  404 "No upcoming invoices for customer"); Stripe creates a one-off invoice from the customer's
  pending invoice items, which is all licensebot asks for. A one-off invoice is made here the
  way localstripe's own `Invoice` makes one: it takes the pending items.
- It pickles its whole store to /tmp/localstripe.pickle on every write, a path that every
  localstripe on the machine shares; these tests start from scratch and never read it back.
- It listens on every interface; here it listens on loopback only.
"""

from __future__ import annotations

import argparse
import logging
import socket
from typing import Any

from aiohttp import web
from localstripe import resources, server

_create_from_subscription = resources.Invoice._api_create


def _create_invoice(
    cls: type[resources.Invoice],
    customer: str | None = None,
    subscription: str | None = None,
    metadata: dict[str, str] | None = None,
    description: str | None = None,
    pending_invoice_items_behavior: str | None = None,
    **rest: Any,
) -> resources.Invoice:
    one_off = subscription is None and pending_invoice_items_behavior == "include" and not rest
    if one_off and not resources.Customer._api_retrieve(customer).subscriptions._list:
        return cls(customer=customer, metadata=metadata, description=description)
    return _create_from_subscription(
        customer=customer,
        subscription=subscription,
        metadata=metadata,
        description=description,
        pending_invoice_items_behavior=pending_invoice_items_behavior,
        **rest,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--from-scratch", action="store_true")  # always, here
    port = parser.parse_args().port
    resources.Invoice._api_create = classmethod(_create_invoice)
    resources.Store.dump_to_disk = lambda self: None
    log = logging.getLogger("aiohttp.access")  # localstripe logs its webhook deliveries there
    log.setLevel(logging.DEBUG)
    log.addHandler(logging.StreamHandler())
    sock = socket.create_server(("127.0.0.1", port))
    web.run_app(server.app, sock=sock, access_log=log)


if __name__ == "__main__":
    main()
