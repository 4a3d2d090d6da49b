"""What event and notice pages read, each in a fixed number of queries whatever the answers."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from hub import clock
from hub.events.actions import GOING, MAYBE, NO, event_in, notice_in
from hub.events.tables import Answer, CalendarToken, Event, Notice

EVENT_COLUMNS = (
    Event.id,
    Event.community,
    Event.building,
    Event.title,
    Event.description,
    Event.place,
    Event.starts_at,
    Event.ends_at,
    Event.capacity,
    Event.rsvp_deadline,
    Event.guests_allowed,
    Event.max_guests,
    Event.cover,
    Event.cancelled_at,
    Event.created_at,
)
LIST_LIMIT = 50
NEWS_DAYS = 14


async def _with_counts(events: list[dict[str, Any]], user_id: int | None) -> list[dict[str, Any]]:
    """Each event with its places taken, waitlist, maybes and the viewer's answer (two queries)."""
    ids = [event["id"] for event in events]
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"taken": 0, "going": 0, "maybe": 0, "waitlist": 0, "waitlist_places": 0}
    )
    mine: dict[int, dict[str, Any]] = {}
    if ids:
        rows = (
            await Answer.select(
                Answer.event,
                Answer.status,
                Answer.waitlisted,
                Count(Answer.id, alias="people"),
                Sum(Answer.guests, alias="guests"),
            )
            .where(Answer.event.is_in(ids))
            .group_by(Answer.event, Answer.status, Answer.waitlisted)
        )
        for row in rows:
            count = counts[row["event"]]
            people, guests = int(row["people"]), int(row["guests"] or 0)
            if row["status"] == GOING and row["waitlisted"]:
                count["waitlist"] += people
                count["waitlist_places"] += people + guests
            elif row["status"] == GOING:
                count["going"] += people
                count["taken"] += people + guests
            elif row["status"] == MAYBE:
                count["maybe"] += people
        if user_id is not None:
            for row in await Answer.select(
                Answer.id,
                Answer.event,
                Answer.status,
                Answer.guests,
                Answer.waitlisted,
                Answer.queue,
                Answer.promoted_at,
            ).where(Answer.event.is_in(ids) & (Answer.user == user_id)):
                mine[row["event"]] = row
    for event in events:
        event["counts"] = counts[event["id"]]
        capacity, taken = event["capacity"], counts[event["id"]]["taken"]
        event["left"] = None if capacity is None else max(capacity - taken, 0)
        event["mine"] = mine.get(event["id"])
        event["community_wide"] = event["building"] is None
    return events


async def events(
    building_id: int, community_id: int, user_id: int, which: str = "upcoming"
) -> list[dict[str, Any]]:
    """Upcoming, past or the viewer's own events seen from a building (three queries)."""
    now = clock.now()
    query = Event.select(*EVENT_COLUMNS).where(event_in(building_id, community_id))
    if which == "past":
        query = query.where(Event.ends_at < now).order_by(Event.starts_at, ascending=False)
    elif which == "mine":
        query = query.where(
            (Event.ends_at >= now)
            & Event.id.is_in(
                Answer.select(Answer.event).where((Answer.user == user_id) & (Answer.status != NO))
            )
        ).order_by(Event.starts_at)
    else:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
    return await _with_counts(await query.limit(LIST_LIMIT), user_id)


async def event(
    building_id: int, community_id: int, event_id: int, user_id: int | None
) -> dict[str, Any] | None:
    """One event seen from a building, or None when it is not visible there (three queries)."""
    row = (
        await Event.select(*EVENT_COLUMNS)
        .where((Event.id == event_id) & event_in(building_id, community_id))
        .first()
    )
    if row is None:
        return None
    return (await _with_counts([row], user_id))[0]


async def answers(event_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everyone's answers for the leaders' list: going, waitlist in order, maybe (one query)."""
    rows = (
        await Answer.select(
            Answer.id,
            Answer.status,
            Answer.guests,
            Answer.waitlisted,
            Answer.attended,
            Answer.queue,
            Answer.updated_at,
            Answer.user.display_name.as_alias("name"),
            Answer.user.phone.as_alias("phone"),
        )
        .where((Answer.event == event_id) & (Answer.status != NO))
        .order_by(Answer.queue)
        .order_by(Answer.id)
    )
    lists: dict[str, list[dict[str, Any]]] = {"going": [], "waitlist": [], "maybe": []}
    for row in rows:
        if row["status"] == GOING:
            lists["waitlist" if row["waitlisted"] else "going"].append(row)
        else:
            lists["maybe"].append(row)
    lists["going"].sort(key=lambda row: row["name"])
    lists["maybe"].sort(key=lambda row: row["name"])
    return lists


async def next_events(
    building_id: int, community_id: int, user_id: int, limit: int = 3
) -> list[dict[str, Any]]:
    rows = (
        await Event.select(*EVENT_COLUMNS)
        .where(
            event_in(building_id, community_id)
            & (Event.ends_at >= clock.now())
            & Event.cancelled_at.is_null()
        )
        .order_by(Event.starts_at)
        .limit(limit)
    )
    return await _with_counts(rows, user_id)


# Written out, as it is on every Today page and composing its joins through the ORM cost several
# times the query.
_NEWS_SQL = """
SELECT a.promoted_at, a.seen_at, e.id AS event_id, e.title, e.starts_at, e.cancelled_at
FROM hub_event_answer a
JOIN hub_event e ON e.id = a.event
WHERE a."user" = {} AND a.status != {} AND e.ends_at >= {}
  AND (e.building = {} OR (e.building IS NULL AND e.community = {}))
  AND (a.promoted_at >= {} OR e.cancelled_at >= {})
ORDER BY e.starts_at
"""


async def news(building_id: int, community_id: int, user_id: int) -> list[dict[str, Any]]:
    """What the viewer must be told: promoted off a waitlist, or an event they answered was
    cancelled (one query)."""
    now = clock.now()
    since = now - timedelta(days=NEWS_DAYS)
    rows = await Answer.raw(_NEWS_SQL, user_id, NO, now, building_id, community_id, since, since)
    unseen = []
    for row in rows:
        row["kind"] = "cancelled" if row["cancelled_at"] is not None else "promoted"
        happened = row["cancelled_at"] or row["promoted_at"]
        if row["seen_at"] is None or row["seen_at"] < happened:
            unseen.append(row)
    return unseen


# Notices -------------------------------------------------------------------------------------

NOTICE_COLUMNS = (
    Notice.id,
    Notice.building,
    Notice.title,
    Notice.text,
    Notice.pinned,
    Notice.urgent,
    Notice.ends_on,
    Notice.photo,
    Notice.retired_at,
    Notice.created_at,
    Notice.created_by.display_name.as_alias("author"),
)


async def notices(
    building_id: int, community_id: int, timezone: str, *, limit: int = LIST_LIMIT
) -> list[dict[str, Any]]:
    """The board: live notices, pinned first, newest first (one query)."""
    today = clock.local_today(timezone)
    rows = (
        await Notice.select(*NOTICE_COLUMNS)
        .where(
            notice_in(building_id, community_id)
            & Notice.retired_at.is_null()
            & (Notice.ends_on.is_null() | (Notice.ends_on >= today))
        )
        .order_by(Notice.pinned, ascending=False)
        .order_by(Notice.created_at, ascending=False)
        .limit(limit)
    )
    for row in rows:
        row["community_wide"] = row["building"] is None
    return rows


async def today_notices(building_id: int, community_id: int, timezone: str) -> list[dict[str, Any]]:
    """Urgent, pinned and the week's new notices, for Today (one query)."""
    week_ago = clock.now() - timedelta(days=7)
    return [
        row
        for row in await notices(building_id, community_id, timezone, limit=20)
        if row["pinned"] or row["urgent"] or row["created_at"] >= week_ago
    ][:5]


async def notice(building_id: int, community_id: int, notice_id: int) -> dict[str, Any] | None:
    row = (
        await Notice.select(*NOTICE_COLUMNS)
        .where((Notice.id == notice_id) & notice_in(building_id, community_id))
        .first()
    )
    if row is not None:
        row["community_wide"] = row["building"] is None
    return row


# Calendars -----------------------------------------------------------------------------------


async def user_for_calendar_token(token: str) -> int | None:
    row = await CalendarToken.select(CalendarToken.user).where(CalendarToken.token == token).first()
    return int(row["user"]) if row else None


async def calendar_events(user_id: int) -> list[dict[str, Any]]:
    """The events a user said going or maybe to, from a month back on (one query)."""
    return (
        await Answer.select(
            Answer.status,
            Answer.waitlisted,
            *(
                getattr(Answer.event, column._meta.name).as_alias(column._meta.name)
                for column in EVENT_COLUMNS
            ),
            Answer.event.building.timezone.as_alias("timezone"),
        )
        .where(
            (Answer.user == user_id)
            & (Answer.status != NO)
            & (Answer.event.ends_at >= clock.now() - timedelta(days=31))
        )
        .order_by(Answer.event.starts_at)
        .limit(500)
    )
