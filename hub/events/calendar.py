"""iCalendar files for one event and for a person's private feed, for Apple, Google and Outlook.

Times are written in the building's time zone (TZID) with its VTIMEZONE; community-wide events
in a feed, which belong to no building, are written in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

PRODID = "-//Hub//Building volunteers//EN"


def _vevent(event: dict[str, Any], timezone: str | None, host: str) -> VEvent:
    tz = ZoneInfo(timezone) if timezone else UTC
    vevent = VEvent()
    vevent.add("uid", f"event-{event['id']}@{host}")
    vevent.add("dtstamp", datetime.now(UTC))
    vevent.add("dtstart", event["starts_at"].astimezone(tz))
    vevent.add("dtend", event["ends_at"].astimezone(tz))
    vevent.add("summary", event["title"])
    if event.get("place"):
        vevent.add("location", event["place"])
    if event.get("description"):
        vevent.add("description", event["description"])
    if event.get("cancelled_at") is not None:
        vevent.add("status", "CANCELLED")
    else:
        vevent.add("status", "CONFIRMED")
    return vevent


def calendar(events: Iterable[tuple[dict[str, Any], str | None]], *, host: str, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event, timezone in events:
        cal.add_component(_vevent(event, timezone, host))
    cal.add_missing_timezones()
    return cal.to_ical()
