"""A person's private calendar feed, gathered from every area without the feed knowing them.

Each area declares its calendar sources in its area.py: given a user id, a source returns the
`Entry`s that belong in that person's calendar (events, shifts, task due dates...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from hub import clock
from hub.area import Entry
from hub.areas import calendar_sources

PRODID = "-//Hub//Building volunteers//EN"


async def entries_for(user_id: int) -> list[Entry]:
    found = [entry for source in calendar_sources() for entry in await source(user_id)]
    return sorted(
        found,
        key=lambda e: (
            e.starts
            if isinstance(e.starts, datetime)
            else datetime(e.starts.year, e.starts.month, e.starts.day, tzinfo=UTC)
        ),
    )


def _vevent(entry: Entry, host: str) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"{entry.uid}@{host}")
    vevent.add("dtstamp", clock.now())
    if isinstance(entry.starts, datetime):
        zone = ZoneInfo(entry.timezone) if entry.timezone else UTC
        vevent.add("dtstart", entry.starts.astimezone(zone))
        vevent.add("dtend", entry.ends.astimezone(zone))  # type: ignore[union-attr]
    else:
        vevent.add("dtstart", entry.starts)
        vevent.add("dtend", entry.ends)
    vevent.add("summary", entry.title)
    if entry.place:
        vevent.add("location", entry.place)
    if entry.description:
        vevent.add("description", entry.description)
    vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return vevent


def calendar(entries: list[Entry], *, host: str, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(_vevent(entry, host))
    cal.add_missing_timezones()
    return cal.to_ical()
