"""Turning a weekly schedule, written in the building's local time, into shift times in UTC."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

WEEKDAYS = "1234567"  # ISO: 1 = Monday
MAX_DURATION_MINUTES = 12 * 60  # the longest shift
# A shift may still be walked this long after it ended; its round is then flagged late.
LATE_START_WINDOW = timedelta(hours=3)


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


def week_bounds_utc(monday: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants where the local week starting on `monday` begins and ends."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


class Starting(Protocol):
    starts_at: datetime


Shown = TypeVar("Shown", bound=Starting)


def by_local_day(
    shifts: list[Shown], monday: date, timezone: str
) -> list[tuple[date, list[Shown]]]:
    """The week's seven local days, each with the shifts that start on it."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[Shown]] = {monday + timedelta(days=n): [] for n in range(7)}
    for shift in shifts:
        local_day = shift.starts_at.astimezone(zone).date()
        if local_day in days:
            days[local_day].append(shift)
    return list(days.items())


class Timed(Protocol):
    id: int
    starts_at: datetime
    ends_at: datetime


Spanning = TypeVar("Spanning", bound=Timed)


def first_overlap(shift: Timed, others: Iterable[Spanning]) -> Spanning | None:
    """The first of `others` (another shift than `shift` itself) whose time overlaps it: a
    volunteer on both cannot walk both, and is warned."""
    for other in others:
        overlaps = other.starts_at < shift.ends_at and shift.starts_at < other.ends_at
        if other.id != shift.id and overlaps:
            return other
    return None
