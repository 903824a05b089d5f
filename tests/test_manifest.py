"""manifest.yml is one Slack accepts, and asks for exactly what the code uses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.installation import BOT_SCOPES
from commands.listeners import COMMAND

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"

# The bot scopes each Web API method needs (views.* and auth.test need none). Reading history
# needs one scope per kind of conversation: notices go to public or private channels and DMs.
SCOPE_OF_METHOD: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "users_info": {"users:read"},
    "conversations_open": {"im:write"},
    "conversations_info": {"channels:read", "groups:read"},  # public and private channels
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "views_open": set(),
    "views_update": set(),
    "views_push": set(),
    "views_publish": set(),
    "apps_connections_open": set(),  # Socket Mode: the app-level token's connections:write
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "manifest.yml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_manifest_validates_against_slacks_own_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA}")
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text("utf-8")))


def test_the_manifest_declares_the_command_the_app_handles(manifest: dict[str, Any]) -> None:
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [COMMAND]
    assert manifest["features"]["slash_commands"][0]["should_escape"] is True


def _methods_called() -> set[str]:
    source = "\n".join(
        p.read_text("utf-8")
        for package in ("bot", "commands", "scheduler")
        for p in (ROOT / package).rglob("*.py")
    )
    return set(re.findall(r"client\.(\w+)\(", source))


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses(manifest: dict[str, Any]) -> None:
    called = _methods_called()
    unknown = called - SCOPE_OF_METHOD.keys()
    assert not unknown, f"add the scope of {unknown} to SCOPE_OF_METHOD"
    needed = set().union(*(SCOPE_OF_METHOD[m] for m in called)) | {"commands"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_the_oauth_install_asks_for_the_manifests_scopes(manifest: dict[str, Any]) -> None:
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
