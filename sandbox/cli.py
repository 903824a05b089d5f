"""`licensebot sandbox`: the real bot driven from the terminal as if from Slack."""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from bot.settings import Settings
from licensing.errors import LicensingError
from sandbox.interactive import run_interactive
from sandbox.payments import SimulatedProvider
from sandbox.runtime import SandboxRuntime, parse_moment, prepare_database
from sandbox.script import Step, read_steps, run_script
from sandbox.session import Session

# The shipped demo's amounts and dates are those of a run that starts here.
DEMO_START = "2026-01-31T09:00:00+00:00"


def add_parser(commands: Any) -> None:
    """Add `sandbox` to the `licensebot` subcommands."""
    sandbox = commands.add_parser(
        "sandbox", help="try the bot in the terminal, with a stand-in Slack workspace"
    )
    given = sandbox.add_mutually_exclusive_group()
    given.add_argument("--script", metavar="FILE", help="run the lines of FILE (- for stdin)")
    given.add_argument("--demo", action="store_true", help="run the shipped demo script")
    sandbox.add_argument(
        "--db", metavar="URL_OR_FILE", help="database (default: a new temporary SQLite file)"
    )
    sandbox.add_argument(
        "--start",
        metavar="ISO",
        help="simulated time a new database starts at (default: now; the demo's own start)",
    )
    sandbox.add_argument(
        "--no-payments",
        action="store_true",
        help="keep invoices as records only (default: a simulated payment provider collects them)",
    )
    sandbox.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    steps = _script_steps(args)
    database_url = _database_url(args.db)
    start = args.start or (DEMO_START if args.demo else None)
    prepare_database(database_url, parse_moment(start) if start else None)
    console = Console(highlight=False)
    export = f"DATABASE_URL='{database_url}' licensebot export"
    console.print(
        Text(f"Database: {database_url}\nAfterwards: {export}", style="dim"), soft_wrap=True
    )
    payments = None if args.no_payments else SimulatedProvider()
    with SandboxRuntime(settings, database_url, payments) as runtime:
        session = Session(runtime, console)
        if steps is None:
            return run_interactive(session)
        return run_script(session, steps, "demo.txt" if args.demo else args.script)


def _script_steps(args: argparse.Namespace) -> list[Step] | None:
    """The steps of the script to run, read before anything starts; None to run interactively."""
    if args.demo:
        return read_steps(resources.files("sandbox").joinpath("demo.txt").read_text().splitlines())
    if args.script == "-":
        return read_steps(sys.stdin)
    if args.script:
        try:
            return read_steps(Path(args.script).read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            raise LicensingError(f"Cannot read the script {args.script}: {exc.strerror}.") from None
    return None


def _database_url(given: str | None) -> str:
    if given and "://" in given:
        return given
    path = (
        Path(given)
        if given
        else Path(tempfile.mkdtemp(prefix="licensebot-sandbox-")) / "sandbox.db"
    )
    return f"sqlite:///{path.resolve()}"
