"""Every button shown so far, by the number it was shown with, and where it was shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sandbox.errors import StepFailed
from sandbox.render import Button

Surface = Literal["message", "ephemeral", "modal", "home"]


@dataclass(frozen=True)
class Placed:
    button: Button
    surface: Surface
    channel: str = ""  # of a message or an ephemeral
    ts: str = ""  # of a message
    view_id: str = ""  # of a modal or an App Home tab


class ButtonBoard:
    def __init__(self) -> None:
        self._placed: dict[int, Placed] = {}
        self.next_number = 1

    def place(
        self,
        buttons: list[Button],
        surface: Surface,
        *,
        channel: str = "",
        ts: str = "",
        view_id: str = "",
    ) -> None:
        for button in buttons:
            self._placed[button.number] = Placed(button, surface, channel, ts, view_id)
            self.next_number = max(self.next_number, button.number + 1)

    def by_number(self, number: int) -> Placed:
        found = self._placed.get(number)
        if found is None:
            raise StepFailed(f"There is no button [{number}]. Press one of the numbers shown.")
        return found

    def by_label(self, label: str) -> list[Placed]:
        """Buttons with this label, newest first."""
        key = label.strip().lower()
        found = [p for p in self._placed.values() if p.button.label.lower() == key]
        if not found:
            raise StepFailed(f'No button "{label}" has been shown. Press one that was.')
        return sorted(found, key=lambda p: -p.button.number)
