"""`licensebot`: the command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import TextIO

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from bot.bootstrap import Components, build
from bot.logs import configure_logging
from bot.server import serve
from bot.settings import ConfigurationError, Settings
from licensing.catalog import Catalog, load_catalog
from licensing.clock import StoredTestClock, parse_duration
from licensing.db import is_unreachable, make_engine, reason
from licensing.errors import CatalogError, LicensingError
from licensing.export import AccountExport
from licensing.migrate import upgrade
from licensing.schemas import PeriodClosed
from licensing.words import plural
from scheduler.runner import Intervals, background_scheduler, blocking_scheduler, waker

COMMANDS_GROUP = "licensebot.commands"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        return int(args.handler(args, settings))
    except (CatalogError, ConfigurationError, LicensingError, ValidationError) as exc:
        print(f"licensebot: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        if not is_unreachable(exc):
            raise
        print(f"licensebot: can't reach the database: {reason(exc)}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="licensebot", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="serve the Slack app (HTTP, or Socket Mode)")
    run.add_argument("--port", type=int, help="HTTP port (default 3000, or LICENSEBOT_PORT)")
    run.set_defaults(handler=_run)

    _add_installed_commands(commands)

    scheduler = commands.add_parser("scheduler", help="run only the scheduler's sweeps")
    scheduler.set_defaults(handler=_scheduler)

    sweep = commands.add_parser("sweep", help="run every sweep once, then exit (e.g. from cron)")
    sweep.set_defaults(handler=_sweep)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=_migrate)

    catalog = commands.add_parser("catalog", help="show the loaded catalog")
    catalog.add_argument("--format", choices=["text", "json"], default="text")
    catalog.set_defaults(handler=_catalog)

    export = commands.add_parser("export", help="print all data of one or all accounts")
    export.add_argument("--team", help="only this Slack team id")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.set_defaults(handler=_export)

    clock = commands.add_parser("clock", help="show or move the test clock")
    moves = clock.add_subparsers(required=True, metavar="ACTION")
    moves.add_parser("show").set_defaults(handler=_clock_show)
    set_ = moves.add_parser("set")
    set_.add_argument("moment", help="ISO 8601 with offset, e.g. 2026-12-01T09:00:00+00:00")
    set_.set_defaults(handler=_clock_set)
    advance = moves.add_parser("advance")
    advance.add_argument("duration", help="e.g. 10d, 36h, 1w2d, 90m")
    advance.set_defaults(handler=_clock_advance)
    return parser


def _add_installed_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands kept out of production (`licensebot sandbox`) add themselves through this
    entry-point group, so that the bot imports none of their code."""
    for command in entry_points(group=COMMANDS_GROUP):
        command.load()(commands)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    configure_logging(settings.log_level)
    if args.port:
        settings = settings.model_copy(update={"port": args.port})
    components = build(settings)
    sweeps = background_scheduler(components.sweeper, _intervals(settings))
    deliver_soon = waker(sweeps, components.sweeper)
    app = components.slack_app(deliver_soon)
    sweeps.start()
    try:
        serve(app, settings, deliver_soon, billing=components.billing)
    finally:
        sweeps.shutdown(wait=False)
    return 0


def _intervals(settings: Settings) -> Intervals:
    return Intervals(settings.sweep_seconds, settings.delivery_seconds, settings.payment_seconds)


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    configure_logging(settings.log_level)
    components = build(settings)
    print(f"licensebot: sweeping every {settings.sweep_seconds:g} s", flush=True)
    blocking_scheduler(components.sweeper, _intervals(settings)).start()
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Only the engine: building the rest would start the test clock, whose table a new
    database does not have yet."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    print("licensebot: database is up to date")
    return 0


def _catalog(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.catalog)
    print(catalog.model_dump_json(indent=2) if args.format == "json" else _catalog_text(catalog))
    return 0


def _catalog_text(catalog: Catalog) -> str:
    lines = [f"Currency: {catalog.currency}    Proration: {catalog.proration}", ""]
    lines.append(f"{'id':<14}{'name':<20}{'kind':<10}{'monthly':>10}{'annual':>10}  requires")
    for p in catalog.products:
        lines.append(
            f"{p.id:<14}{p.name:<20}{p.kind:<10}{p.monthly_price:>10}{p.annual_price:>10}"
            f"  {p.requires or '-'}"
        )
    return "\n".join(lines)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """Refuse rather than print nothing: a database that does not exist (which would be
    created empty) or a team with no account is a mistake to point out."""
    _require_existing_database(settings.database_url)
    accounts = list(build(settings).service.export(args.team))
    if args.team and not accounts:
        print(f"licensebot: no account for team {args.team}.", file=sys.stderr)
        return 1
    if args.format == "json":
        data = [json.loads(account.model_dump_json()) for account in accounts]
        print(json.dumps(data, indent=2))
    else:
        _write_csv(accounts, sys.stdout)
    return 0


CSV_COLUMNS = [
    "team_id",
    "enterprise_id",
    "record",
    "id",
    "at",
    "kind",
    "office",
    "product",
    "seats",
    "amount",
    "currency",
    "detail",
]


def _require_existing_database(url: str) -> None:
    parsed = make_url(url)
    path = parsed.database
    on_disk = parsed.get_backend_name() == "sqlite" and path and path != ":memory:"
    if on_disk and not Path(str(path)).exists():
        raise ConfigurationError(
            f"there is no database at {path}. Set DATABASE_URL to licensebot's database."
        )


def _time(moment: datetime) -> str:
    """A time as the JSON export writes it, so both formats read the same."""
    return str(TypeAdapter(datetime).dump_python(moment, mode="json"))


def _write_csv(accounts: Iterable[AccountExport], out: TextIO) -> None:
    """One row per pool, invoice line and ledger row, so the file opens in a spreadsheet."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for account in accounts:
        team = [account.team_id, account.enterprise_id]
        for office in account.offices:
            for pool in office.pools:
                writer.writerow(
                    [
                        *team,
                        "pool",
                        "",
                        "",
                        "",
                        office.name,
                        pool.product,
                        pool.purchased,
                        "",
                        "",
                        f"scheduled_for_removal={pool.scheduled_for_removal};assigned={len(pool.assigned_user_ids)}",
                    ]
                )
        for invoice in account.invoices:
            for line in invoice.lines:
                writer.writerow(
                    [
                        *team,
                        "invoice_line",
                        invoice.id,
                        _time(invoice.created_at),
                        invoice.kind,
                        line.office,
                        line.product_id,
                        line.seats,
                        line.amount,
                        invoice.currency,
                        f"payment={invoice.payment.state}" if invoice.payment else "",
                    ]
                )
        for entry in account.ledger:
            writer.writerow(
                [
                    *team,
                    "ledger",
                    entry.id,
                    _time(entry.at),
                    entry.event,
                    entry.office or "",
                    entry.product_id or "",
                    entry.seats,
                    entry.amount,
                    entry.currency or "",
                    entry.detail,
                ]
            )


def _test_clock(settings: Settings) -> tuple[StoredTestClock, Components]:
    if not settings.test_clock:
        raise LicensingError(
            "The test clock is off. Set LICENSEBOT_TEST_CLOCK=1 to use simulated time."
        )
    components = build(settings)
    assert isinstance(components.clock, StoredTestClock)
    return components.clock, components


def _clock_show(args: argparse.Namespace, settings: Settings) -> int:
    print(_test_clock(settings)[0].now().isoformat())
    return 0


def _clock_set(args: argparse.Namespace, settings: Settings) -> int:
    try:
        moment = datetime.fromisoformat(args.moment)
    except ValueError as exc:
        raise LicensingError(
            f"“{args.moment}” is not an ISO 8601 time, e.g. 2026-12-01T09:00:00+00:00."
        ) from exc
    clock, components = _test_clock(settings)
    print(clock.set(moment).isoformat())
    _sweep_now(components)
    return 0


def _clock_advance(args: argparse.Namespace, settings: Settings) -> int:
    clock, components = _test_clock(settings)
    print(clock.advance(parse_duration(args.duration)).isoformat())
    _sweep_now(components)
    return 0


def _sweep(args: argparse.Namespace, settings: Settings) -> int:
    _sweep_now(build(settings))
    return 0


def _sweep_now(components: Components) -> None:
    """Run every sweep once: period ends, reminders and (with Slack credentials) notices."""
    report = components.sweeper.run_once(on_closed=_print_closed)
    sent = report.delivered
    print(
        f"{plural(report.closed, 'period')} closed, reminders for "
        f"{plural(report.reminded, 'account')}, "
        f"notices: {sent.sent} sent, {sent.retried} to retry, {sent.failed} failed",
        flush=True,
    )


def _print_closed(closed: PeriodClosed) -> None:
    charged = closed.invoice and f", charged {closed.invoice.total} {closed.invoice.currency}"
    print(
        f"{closed.team_id}: period ending {closed.period_end.isoformat()} "
        f"{closed.outcome}{charged or ''}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
