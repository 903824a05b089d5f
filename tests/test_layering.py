"""Dependencies point one way: bot, commands and scheduler use licensing, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_LICENSING = {"slack_bolt", "slack_sdk", "bot", "commands", "scheduler"}


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "licensing").rglob("*.py")), ids=lambda p: p.name)
def test_licensing_imports_no_slack_and_no_outer_package(path: Path) -> None:
    assert imported_top_level_modules(path) & FORBIDDEN_IN_LICENSING == set()
