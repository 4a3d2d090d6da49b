"""Events as calendar entries: one event's .ics, and the events of a person's private feed.

Times are written in the building's time zone (TZID) with its VTIMEZONE; community-wide events
in a feed, which belong to no building, are written in UTC.
"""

from __future__ import annotations

from typing import Any

from hub.area import Entry
from hub.events import queries


def event_entry(event: dict[str, Any], timezone: str | None) -> Entry:
    return Entry(
        uid=f"event-{event['id']}",
        title=event["title"],
        starts=event["starts_at"],
        ends=event["ends_at"],
        timezone=timezone,
        place=event.get("place") or "",
        description=event.get("description") or "",
        cancelled=event.get("cancelled_at") is not None,
    )


async def answered_events(user_id: int) -> list[Entry]:
    return [event_entry(row, row["timezone"]) for row in await queries.calendar_events(user_id)]
