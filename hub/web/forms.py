"""Form parsing and validation that keeps what was typed and collects translated messages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from litestar import Request
from litestar.datastructures import UploadFile

from hub.web.i18n import _

FormData = dict[str, list[str]]
MAX_FIELD_LENGTH = 5000


async def read_form(request: Request) -> FormData:
    """The text fields of a form; the files of a multipart form are left to read_uploads."""
    form = await request.form()
    return {
        key: [str(v) for v in form.getall(key) if not isinstance(v, UploadFile)] for key in form
    }


async def read_uploads(request: Request, name: str) -> list[UploadFile]:
    """The files sent in one file field of a multipart form, in order; an empty file field
    (nothing chosen) gives none."""
    form = await request.form()
    return [
        value
        for value in form.getall(name, [])
        if isinstance(value, UploadFile) and (value.filename or "").strip()
    ]


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
        value = self.raw(name).strip()
        if value.isdigit() and len(value) < 12:
            return int(value)
        self.error(name, _("Please choose one of the options."))
        return None

    def flag(self, name: str) -> bool:
        return self.raw(name) in {"on", "1", "true", "yes"}


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
    return value if value.tzinfo else None
