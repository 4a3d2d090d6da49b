"""The one exception an action raises when it refuses a change for a reason a person can fix."""

from __future__ import annotations


class Refused(Exception):
    """A change that breaks a rule; `message` is already translated, `field` names the input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
