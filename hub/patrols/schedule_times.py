"""Turning a weekly schedule, written in the building's local time, into shift times in UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = "1234567"  # ISO: 1 = Monday


def local_start(day: date, start_minute: int, timezone: str) -> datetime:
    """The aware local datetime of a start minute on a local day."""
    hours, minutes = divmod(start_minute, 60)
    return datetime.combine(day, time(hours, minutes), tzinfo=ZoneInfo(timezone))


def occurrences(
    *,
    weekdays: str,
    start_minute: int,
    duration_minutes: int,
    starts_on: date,
    ends_on: date | None,
    timezone: str,
    from_day: date,
    through_day: date,
) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) in UTC of every shift of the schedule on local days in the window."""
    first = max(starts_on, from_day)
    last = min(ends_on, through_day) if ends_on else through_day
    day = first
    while day <= last:
        if str(day.isoweekday()) in weekdays:
            start = local_start(day, start_minute, timezone)
            end = start + timedelta(minutes=duration_minutes)
            yield start.astimezone(UTC), end.astimezone(UTC)
        day += timedelta(days=1)


def week_start(day: date) -> date:
    """The Monday of the week of `day`."""
    return day - timedelta(days=day.weekday())


def local_today(timezone: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date()


def week_bounds_utc(monday: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants where the local week starting on `monday` begins and ends."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def by_local_day(
    shifts: list[dict[str, Any]], monday: date, timezone: str
) -> list[tuple[date, list[dict[str, Any]]]]:
    """The week's seven local days, each with the shifts that start on it."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[dict[str, Any]]] = {monday + timedelta(days=n): [] for n in range(7)}
    for shift in shifts:
        local_day = shift["starts_at"].astimezone(zone).date()
        if local_day in days:
            days[local_day].append(shift)
    return list(days.items())
