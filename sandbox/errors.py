"""Why a step of the sandbox could not be carried out, in words that say what to do."""


class StepFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FormError(StepFailed):
    """Something typed into a modal's field that Slack's own client would not accept."""
