"""Checking a form's fields, keeping what was typed and collecting translated messages: the
input parsing that sits beside the actions (the web layer only reads the request)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from hub.i18n import _

FormData = dict[str, list[str]]
MAX_FIELD_LENGTH = 5000
# Ids are 32-bit serials: anything else names nothing (and would overflow a query).
MAX_ID = 2**31 - 1
# The days Hub works with; a week or a shift outside them is a typing slip, and date arithmetic
# near year 1 or 9999 would overflow.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


class Form:
    """Reads fields one by one; each reader records an error instead of raising."""

    def __init__(self, data: Mapping[str, list[str]]) -> None:
        self.data = data
        self.values: dict[str, str | list[str]] = {
            key: (values[0] if len(values) == 1 else values)[:MAX_FIELD_LENGTH]
            for key, values in data.items()
            if key != "_csrf_token"
        }
        self.errors: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raw(self, name: str) -> str:
        values = self.data.get(name) or [""]
        return values[0]

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        max_length: int = 200,
        min_length: int = 0,
        multiline: bool = False,
    ) -> str:
        """Trimmed text; a single-line field also has its runs of whitespace folded to one."""
        raw = self.raw(name)
        value = raw.strip() if multiline else " ".join(raw.split())
        if not value:
            if required:
                self.error(name, _("Please fill this in."))
            return ""
        if "\x00" in value:
            self.error(name, _("This contains characters that cannot be saved."))
        elif len(value) > max_length:
            self.error(name, _("Please keep this under %(max)s characters.", max=max_length))
        elif len(value) < min_length:
            self.error(name, _("Please use at least %(min)s characters.", min=min_length))
        return value

    def secret(self, name: str, *, min_length: int = 0, max_length: int = 200) -> str:
        value = self.raw(name)
        if not value:
            self.error(name, _("Please fill this in."))
        elif len(value) < min_length:
            self.error(name, _("Please use at least %(min)s characters.", min=min_length))
        elif len(value) > max_length:
            self.error(name, _("Please keep this under %(max)s characters.", max=max_length))
        return value

    def choice(self, name: str, choices: Iterable[str], *, required: bool = True) -> str:
        value = self.raw(name)
        if value in set(choices):
            return value
        if value or required:
            self.error(name, _("Please choose one of the options."))
        return ""

    def choices(self, name: str, choices: Iterable[str]) -> list[str]:
        allowed = list(choices)
        picked = set(self.data.get(name, []))
        if picked - set(allowed):
            self.error(name, _("Please choose one of the options."))
        return [choice for choice in allowed if choice in picked]

    def integer(self, name: str) -> int | None:
        value = whole_number(self.raw(name))
        if value is not None:
            return value
        self.error(name, _("Please choose one of the options."))
        return None

    def flag(self, name: str) -> bool:
        return self.raw(name) in {"on", "1", "true", "yes"}


def whole_number(raw: str, most: int = MAX_ID) -> int | None:
    """A whole number from 0 to `most` in ASCII digits; None for anything else (int() reads
    other scripts' digits, refuses "²", and takes long over thousands of digits)."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(most)):
        return None
    value = int(raw)
    return value if value <= most else None


def sane_day(raw: str) -> date | None:
    """An ISO date (2026-12-01) from FIRST_DAY to LAST_DAY; None for anything else."""
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if FIRST_DAY <= value <= LAST_DAY else None


def sane_moment(value: datetime) -> datetime | None:
    """A date and time whose day is from FIRST_DAY to LAST_DAY; None for any other."""
    return value if FIRST_DAY <= value.date() <= LAST_DAY else None


def uuid_text(raw: str) -> str | None:
    """A UUID a phone made for a form (so a replay is recorded once), in its canonical form."""
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


def device_time(raw: str) -> datetime | None:
    """The phone's own time of an action, if it sent a readable one with a time zone."""
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return sane_moment(value) if value.tzinfo else None
