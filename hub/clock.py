"""The one clock of Hub: every "now" and "today" outside the tests is read here, so that a test
moves the time of the whole app in one place (the `clock` fixture of tests/conftest.py).

It moves what Hub reads as the time, not the database's own column defaults (created_at)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _wall_clock  # what the tests' clock fixture replaces


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return _source()


def local_today(timezone: str, now: datetime | None = None) -> date:
    """The date in `timezone` (a building's) at the moment `now`, by default the current one."""
    return (now or _source()).astimezone(ZoneInfo(timezone)).date()


def server_today() -> date:
    """The date on the server's own clock, as date.today() reads it."""
    return now().astimezone().date()
