"""The stand-in workspace's people and channels."""

from __future__ import annotations

import pytest

from slack_standin.workspace import Workspace


def test_workspace_defaults() -> None:
    workspace = Workspace()
    assert workspace.user_by_name("dana").id == "UDANA"
    assert workspace.channel_by_name("#licenses") is not None
    with pytest.raises(KeyError):
        workspace.user_by_name("nobody")
