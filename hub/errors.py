"""The one exception an action raises when it refuses a change for a reason a person can fix."""

from __future__ import annotations

# Why a change was refused, for a machine: the offline queue reads it from a refused replay
# (hub/web/offline.py) and keeps the form for the person, whose message it shows.
INVALID = "invalid"  # what was sent cannot be saved as it is
OVER = "over"  # the round or shift it belongs to is over
GONE = "gone"  # what it adds to no longer exists, or is no longer the person's
REFUSED = "refused"  # any other rule


class Refused(Exception):
    """A change that breaks a rule; `message` is already translated, `field` names the input,
    `code` says why for a machine (by default INVALID when a field is named, else REFUSED)."""

    def __init__(self, message: str, field: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or (INVALID if field else REFUSED)
