"""The modals open in the sandbox, kept as Slack keeps them: a stack that the bot opens,
pushes and updates, and that a submission's `response_action` changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.form import Form

JsonDict = dict[str, Any]


@dataclass
class OpenModal:
    view: JsonDict
    form: Form

    @classmethod
    def of(cls, view: JsonDict) -> OpenModal:
        return cls(view, Form.of(view))

    @property
    def title(self) -> str:
        return _text(self.view.get("title"))

    @property
    def submit_label(self) -> str:
        """Empty for a modal that can only be closed, such as a result."""
        return _text(self.view.get("submit"))

    @property
    def close_label(self) -> str:
        return _text(self.view.get("close")) or "Close"


class ModalStack:
    def __init__(self) -> None:
        self._stack: list[OpenModal] = []

    @property
    def top(self) -> OpenModal | None:
        return self._stack[-1] if self._stack else None

    def find(self, view_id: str) -> OpenModal | None:
        return next((m for m in self._stack if m.view.get("id") == view_id), None)

    def shown(self, method: str, view: JsonDict) -> OpenModal:
        """Apply views.open, views.push or views.update; return the modal to show."""
        modal = OpenModal.of(view)
        if method == "views.open":
            self._stack = [modal]
        elif method == "views.push":
            self._stack.append(modal)
        else:
            ids = [m.view.get("id") for m in self._stack]
            if view.get("id") in ids:
                self._stack[ids.index(view.get("id"))] = modal
        return modal

    def answered(self, answer: JsonDict) -> OpenModal | None:
        """Apply the bot's answer to a submission of the top modal; return the modal now
        showing, or None when the submission closed it."""
        top = self._stack[-1]
        action = answer.get("response_action")
        if action == "errors":
            top.form.errors = dict(answer.get("errors") or {})
        elif action == "update":
            self._stack[-1] = OpenModal.of({**answer["view"], **_identity(top.view)})
        elif action == "push":
            pushed = f"{top.view['id']}-{len(self._stack)}"  # Slack would assign a view id
            self._stack.append(OpenModal.of({**answer["view"], "id": pushed}))
        elif action == "clear":
            self._stack.clear()
        else:
            self._stack.pop()
        return self.top

    def close(self) -> OpenModal:
        return self._stack.pop()

    def close_results(self) -> None:
        """Close modals that only show a result; they wait for nothing."""
        while self._stack and not self._stack[-1].submit_label:
            self._stack.pop()


def _identity(view: JsonDict) -> JsonDict:
    """What Slack keeps of a view that is updated: its id and where it belongs."""
    kept = ("id", "team_id", "app_id", "bot_id", "root_view_id", "previous_view_id")
    return {key: view[key] for key in kept if key in view}


def _text(text_object: Any) -> str:
    return str(text_object.get("text", "")) if isinstance(text_object, dict) else ""
