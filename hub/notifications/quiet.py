"""Quiet hours: whether a moment falls inside a user's nightly quiet time, and when it ends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(now: datetime, start: time, end: time, timezone: str) -> datetime | None:
    """The UTC moment the quiet hours around `now` end, or None when `now` is not inside them.
    A start after the end spans midnight; equal times mean no quiet hours."""
    if start == end:
        return None
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:
        if not start <= clock < end:
            return None
    elif clock >= start:
        day += timedelta(days=1)
    elif clock >= end:
        return None
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
