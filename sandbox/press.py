"""Pressing a button the bot showed, as Slack sends the click: from the message, ephemeral,
modal or App Home tab it is in, as that is now."""

from __future__ import annotations

from sandbox.board import Placed
from sandbox.errors import StepFailed
from sandbox.feed import Feed, JsonDict
from sandbox.render import BlockRenderer
from sandbox.runtime import SandboxRuntime
from sandbox.screen import Screen


class Presser:
    def __init__(self, runtime: SandboxRuntime, screen: Screen, feed: Feed) -> None:
        self.runtime = runtime
        self.screen = screen
        self.feed = feed

    def find(self, given: str) -> Placed:
        """The button numbered `given`, or the newest shown with `given` as its label."""
        board = self.screen.board
        candidates = [board.by_number(int(given))] if given.isdigit() else board.by_label(given)
        for placed in candidates:
            if self._still_shown(placed):
                return placed
        raise StepFailed(f"Button {given} is no longer shown: its message or view has changed.")

    def click(self, placed: Placed, user: str) -> JsonDict:
        """Send the click; return the bot's answer."""
        button, surface = placed.button, placed.surface
        current = None if surface == "ephemeral" else self._current(placed)
        response = self.runtime.send.block_action(
            button.action_id,
            value=button.value,
            user=user,
            block_id=button.block_id,
            message=current if surface == "message" else None,
            view=current if surface in ("modal", "home") else None,
            channel=placed.channel or self.screen.typing_channel,
        )
        return self.runtime.answer(response)

    def _still_shown(self, placed: Placed) -> bool:
        """Messages are edited and deleted, modals close and App Home tabs are published
        again: a button counts only while what it was shown in still has it."""
        if placed.surface == "ephemeral":
            return True  # Slack keeps no copy of an ephemeral to compare with
        now = self._current(placed)
        if now is None:
            return False
        renderer = BlockRenderer(self.screen.names, 0)
        renderer.blocks(list(now.get("blocks") or []))
        wanted = (placed.button.action_id, placed.button.label)
        return any((b.action_id, b.label) == wanted for b in renderer.buttons)

    def _current(self, placed: Placed) -> JsonDict | None:
        """The message or view a button was shown in, as it is now."""
        if placed.surface == "message":
            return self.feed.message(placed.channel, placed.ts)
        if placed.surface == "modal":
            modal = self.screen.modals.find(placed.view_id)
            return {**modal.view, "state": {"values": modal.form.state_values()}} if modal else None
        return self.runtime.fake.views.get(placed.view_id)
