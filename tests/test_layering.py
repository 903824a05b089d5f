"""Dependencies point one way: `bot` -> `commands`, `scheduler` -> `licensing`; `payments` ->
`licensing`; `sandbox` -> `bot`, `slack_standin`. Read from every module's imports, those inside
functions included, and at run time from what migrating a database loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_PRODUCTION = {"slack_standin", "sandbox", "devtools", "tests", "benchmarks"}
SLACK = {"slack_bolt", "slack_sdk"}
FORBIDDEN = {
    "licensing": SLACK | {"stripe", "payments", "bot", "commands", "scheduler"} | NOT_PRODUCTION,
    "payments": SLACK | {"bot", "commands", "scheduler"} | NOT_PRODUCTION,
    "commands": {"bot", "scheduler"} | NOT_PRODUCTION,
    "scheduler": {"bot", "commands"} | NOT_PRODUCTION,
    "bot": NOT_PRODUCTION,
    "migrations": SLACK | {"bot", "commands", "scheduler"} | NOT_PRODUCTION,
    "slack_standin": {"bot", "commands", "licensing", "scheduler", "sandbox", "tests"},
    "devtools": {"tests", "benchmarks"},
    "benchmarks": {"tests"},
}
PAIRS = [(package, other) for package, others in FORBIDDEN.items() for other in sorted(others)]

MIGRATE_AND_LIST_MODULES = """
import sys
from sqlalchemy import inspect
from licensing.db import make_engine
from licensing.migrate import upgrade

engine = make_engine(sys.argv[1])
upgrade(engine)
assert "ledger" in inspect(engine).get_table_names()
print("\\n".join(sys.modules))
"""


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """The line and top-level package of each absolute import in the module, at any depth."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]


@cache
def imports_of_package(package: str) -> list[tuple[str, str]]:
    """(where, imported package) for every import in the package's modules."""
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"no package {package}"
    return [
        (f"{path.relative_to(ROOT)}:{line}", name)
        for path in modules
        for line, name in imports(path)
    ]


@pytest.mark.parametrize(
    ("package", "other"), PAIRS, ids=[f"{package}-imports-no-{other}" for package, other in PAIRS]
)
def test_no_package_imports_one_it_must_not_depend_on(package: str, other: str) -> None:
    assert [where for where, name in imports_of_package(package) if name == other] == []


def test_imports_are_found_inside_functions_too(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def build():\n    from bot.app import build_app\n    import slack_sdk.web\n")
    assert list(imports(module)) == [(2, "bot"), (3, "slack_sdk")]


def test_migrating_a_database_loads_no_slack_and_no_bot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    command = [sys.executable, "-c", MIGRATE_AND_LIST_MODULES, url]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    loaded = {name.split(".")[0] for name in run.stdout.split()}
    assert loaded & (SLACK | {"bot", "commands", "scheduler"}) == set()
