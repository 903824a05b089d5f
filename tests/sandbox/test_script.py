"""`licensebot sandbox --demo` and `--script`, run as a user runs them: a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

WIDE = {"COLUMNS": "200"}  # so that no line of the transcript wraps
Completed = subprocess.CompletedProcess[str]


def licensebot(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Completed:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        env={**os.environ, **WIDE, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def sandbox(*args: str, stdin: str = "") -> Completed:
    return licensebot("sandbox", *args, stdin=stdin)


@dataclass(frozen=True)
class Demo:
    database: Path
    transcript: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The shipped demo, run once for the tests that read it."""
    database = tmp_path_factory.mktemp("demo") / "demo.db"
    run = sandbox("--demo", "--db", str(database))
    assert run.returncode == 0, run.stderr
    return Demo(database, run.stdout)


def test_the_demo_walks_a_whole_billing_cycle(demo: Demo) -> None:
    database, transcript = demo.database, demo.transcript
    assert f"Database: sqlite:///{database}" in transcript
    for shown in (
        "Trial ends Feb 14, 2026 09:00 UTC",
        "• 3 seats added free during the trial",
        "• 3 × Talk in Main: 45.00 USD",
        "2 new seats charged 19.29 USD now, prorated from Feb 24, 2026 09:00 UTC to Mar 14, 2026 09:00 UTC",
        "@adam now holds a Talk seat in Main. 0 seats left.",
        "No Talk seat is free: 5 purchased, 5 assigned, 0 scheduled for removal.",
        "5 purchased · 3 assigned · 0 available · 2 scheduled for removal",
        "5 purchased · 3 assigned · 2 available · 0 scheduled for removal",
        "The sweep closed the period ending Mar 14, 2026 09:00 UTC: renewed, invoice 75.00 USD",
        "#3 renewal, for Mar 14, 2026 – Apr 14, 2026 · 75.00 USD · paid view — 5 × Talk (Main) 75.00 USD",
        "The sweep closed the period ending Apr 14, 2026 09:00 UTC: renewed, invoice 75.00 USD",
    ):
        assert shown in transcript
    assert _notices(transcript) == [
        "📆 Your free trial ends on Feb 14, 2026 09:00 UTC and your subscription starts.",
        "🧾 Your free trial ended on Feb 14, 2026 09:00 UTC and your subscription started.",
        "✅ Received 45.00 USD from the visa ending 4242 for invoice #1 · receipt",
        "✅ Received 19.29 USD from the visa ending 4242 for invoice #2 · receipt",
        "⏳ 2 seats are scheduled for removal on Mar 14, 2026 09:00 UTC.",
        "📆 Your subscription renews on Mar 14, 2026 09:00 UTC.",
        "✏ The renewal on Mar 14, 2026 09:00 UTC has changed: 75.00 USD (was 45.00 USD).",
        "🧾 The period ending Mar 14, 2026 09:00 UTC closed.",
        "✅ Received 75.00 USD from the visa ending 4242 for invoice #3 · receipt",
        "⚠ Your subscription ends on Apr 14, 2026 09:00 UTC.",
        "📆 Your subscription renews on Apr 14, 2026 09:00 UTC.",
        "🧾 The period ending Apr 14, 2026 09:00 UTC closed.",
        "❌ The charge of 75.00 USD for invoice #4 failed.",
        "✅ Received 75.00 USD from the visa ending 5555 for invoice #4 · receipt",
    ]
    assert "✅ @olivia restored 2 Talk seats in Main · Mar 12, 2026 09:00 UTC" in transcript
    assert "✅ @olivia reactivated the subscription · Apr 12, 2026 09:00 UTC" in transcript
    assert _exported_invoices(database) == [
        ("subscription", "45.00", "paid", 0),
        ("purchase", "19.29", "paid", 0),
        ("renewal", "75.00", "paid", 0),
        ("renewal", "75.00", "paid", 1),
    ]


def test_the_demo_rehearses_a_declined_renewal_paid_again_from_a_new_card(demo: Demo) -> None:
    transcript = demo.transcript
    declined = transcript.index("/card decline")
    failed = transcript.index("The payment provider said: Your card was declined.", declined)
    assert re.search(r"\[\d+\] Update card  \[\d+\] Retry now", transcript[failed:])
    owed = transcript.index("⚠ 75.00 USD is unpaid (invoice #4).", failed)
    update = transcript.index('> press "Update card"', owed)
    assert "Open the card page" in transcript[update:]
    paid = transcript.index("Received 75.00 USD from the visa ending 5555 for invoice #4", update)
    after = transcript[paid:]
    assert "Card for invoices: visa ending 5555" in after
    assert "unpaid" not in after and "Owed" not in after and "past due" not in after


def _notices(transcript: str) -> list[str]:
    """The first line of each notice posted to #licenses (not the one-line logs of changes)."""
    first_lines = re.findall(r"#licenses · licensebot ─+╮\n│ (.+?) +│", transcript)
    return [line for line in first_lines if not line.startswith("@olivia")]


def _exported_invoices(database: Path) -> list[tuple[str, str, str, int]]:
    """The invoices `licensebot export` finds in the database the sandbox printed: kind,
    total, payment state and failed charges."""
    exported = licensebot("export", env={"DATABASE_URL": f"sqlite:///{database}"})
    [account] = json.loads(exported.stdout)
    return [
        (i["kind"], i["total"], i["payment"]["state"], i["payment"]["failures"])
        for i in account["invoices"]
    ]


def test_a_script_from_stdin_stops_at_the_first_failing_step_and_names_it() -> None:
    script = '# a comment\n/license status\n\nexpect "Period ends"\n/license help\n'
    run = sandbox("--script", "-", stdin=script)
    assert run.returncode == 1
    assert run.stderr.strip() == (
        'licensebot sandbox: step 2 (-, line 4) `expect "Period ends"` failed: '
        '"Period ends" is not in what the step before showed.'
    )
    assert "@olivia> /license status" in run.stdout
    assert "/license help" not in run.stdout


def test_a_card_number_in_a_script_is_refused_and_shown_masked_in_the_transcript() -> None:
    script = "/license subscription billing\n/card save 4242 4242 4242 4242\n"
    run = sandbox("--script", "-", stdin=script)
    assert run.returncode == 1
    assert "@olivia> /card save •••• 4242" in run.stdout
    assert "step 2 (-, line 2) `/card save •••• 4242` failed: Card numbers" in run.stderr
    assert "4242 4242" not in run.stdout + run.stderr


def test_without_payments_the_sandbox_keeps_invoices_as_records_only() -> None:
    run = sandbox(
        "--no-payments", "--script", "-", stdin="/license subscription billing\n/card ok\n"
    )
    assert "Invoices name: nobody yet: add the billing contact." in run.stdout
    assert "Add or update the card" not in run.stdout
    assert run.stderr.strip().endswith(
        "failed: Payments are off in this sandbox (--no-payments): invoices are records only."
    )


def test_a_script_passes_when_every_step_does(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text('/license status\nexpect "Trial ends"\n/as @dana\n/license status\n')
    run = sandbox("--script", str(script))
    assert run.returncode == 0, run.stderr
    assert "@dana> /license status" in run.stdout


def test_a_missing_script_a_bad_database_or_a_bad_start_is_refused_with_a_message(
    tmp_path: Path,
) -> None:
    missing = sandbox("--script", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert "Cannot read the script" in missing.stderr
    nowhere = sandbox("--script", "-", "--db", str(tmp_path / "no" / "such.db"))
    assert nowhere.returncode == 2
    assert "Cannot use the database" in nowhere.stderr
    naive = sandbox("--script", "-", "--start", "2026-01-31T09:00:00")
    assert (naive.returncode, naive.stderr.strip()) == (
        2,
        'licensebot: "2026-01-31T09:00:00" is not an ISO time with an offset, '
        "e.g. 2026-01-31T09:00:00+00:00.",
    )
