"""Every change of state of events, answers, notices and calendar tokens.

The waitlist rule: places count each person plus their guests. A "going" answer that fits in
the places left takes them; one that does not joins the waitlist at the back. Whenever places
free up (someone says maybe or no, brings fewer guests, or the capacity is raised), the waitlist
is walked in order and every party that fits in what is left is promoted at once: a party too
large for the places left keeps its place at the head of the line, but does not block a
smaller party behind it that fits ("first who fits").

No overbooking: every change to an event's answers runs in one write transaction that first
locks the event's row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction
already lets one writer in at a time), so counting the places taken and taking them cannot
interleave with another person's answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hub.db import engine, write_transaction
from hub.errors import Refused
from hub.events import notifications
from hub.events.tables import Answer, CalendarToken, Event, Notice
from hub.web.i18n import _

GOING, MAYBE, NO = "going", "maybe", "no"
STATUSES = (GOING, MAYBE, NO)
MAX_CAPACITY = 100_000
MAX_GUESTS = 20


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EventDetails:
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    rsvp_deadline: datetime | None
    guests_allowed: bool
    max_guests: int
    cover: str = ""  # a photo's stored name from hub.media, or "" for none


def _check_details(details: EventDetails) -> None:
    if details.ends_at <= details.starts_at:
        raise Refused(_("The end must come after the start."), "ends_at")
    if details.rsvp_deadline is not None and details.rsvp_deadline > details.starts_at:
        raise Refused(_("The answer deadline must be before the start."), "rsvp_deadline")
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        raise Refused(_("Please give a number of places from 1 to 100000."), "capacity")
    if not 0 <= details.max_guests <= MAX_GUESTS:
        raise Refused(_("Please give a number of guests from 0 to 20."), "max_guests")


def _columns(details: EventDetails) -> dict[Any, Any]:
    return {
        Event.title: details.title,
        Event.description: details.description,
        Event.place: details.place,
        Event.starts_at: details.starts_at,
        Event.ends_at: details.ends_at,
        Event.capacity: details.capacity,
        Event.rsvp_deadline: details.rsvp_deadline,
        Event.guests_allowed: details.guests_allowed,
        Event.max_guests: details.max_guests if details.guests_allowed else 0,
        Event.cover: details.cover,
    }


# Events --------------------------------------------------------------------------------------


async def do_create_event(
    actor: int, community_id: int, building_id: int | None, details: EventDetails
) -> int:
    """A building's event, or with building_id None one for the whole community."""
    _check_details(details)
    async with write_transaction():
        row = Event(community=community_id, building=building_id, created_by=actor)
        for column, value in _columns(details).items():
            setattr(row, column._meta.name, value)
        rows = await Event.insert(row).returning(Event.id)
    return int(rows[0]["id"])


async def _locked_event(event_id: int) -> dict[str, Any]:
    """The event's row, locked against every other change to it until the transaction ends."""
    query = Event.select(
        Event.id,
        Event.capacity,
        Event.rsvp_deadline,
        Event.starts_at,
        Event.cancelled_at,
        Event.guests_allowed,
        Event.max_guests,
    ).where(Event.id == event_id)
    if engine().engine_type == "postgres":
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise Refused(_("This event no longer exists."))
    return row


async def do_update_event(event_id: int, details: EventDetails) -> list[int]:
    """Change an event; a larger capacity promotes from the waitlist. Returns who was promoted."""
    _check_details(details)
    async with write_transaction():
        event = await _locked_event(event_id)
        if event["cancelled_at"] is not None:
            raise Refused(_("This event has been cancelled."))
        await Event.update(_columns(details)).where(Event.id == event_id)
        event["capacity"] = details.capacity
        promoted = await _promote(event)
        await notifications.tell_promoted(event_id, promoted)
        return promoted


async def do_cancel_event(event_id: int, actor: int | None = None) -> None:
    """Cancel an event: everyone who answered sees it on their Today page, and those going or
    waiting are told (but not `actor`, who cancelled it)."""
    async with write_transaction():
        event = await _locked_event(event_id)
        if event["cancelled_at"] is None:
            await Event.update({Event.cancelled_at: now()}).where(Event.id == event_id)
            await notifications.tell_cancelled(event_id, actor)


# Answers -------------------------------------------------------------------------------------


async def _places_taken(event_id: int, *, except_user: int | None = None) -> int:
    query = Answer.select(Answer.guests).where(
        (Answer.event == event_id) & (Answer.status == GOING) & (Answer.waitlisted.eq(False))
    )
    if except_user is not None:
        query = query.where(Answer.user != except_user)
    return sum(1 + row["guests"] for row in await query)


async def _promote(event: dict[str, Any]) -> list[int]:
    """Promote, in order, every waitlisted party that fits in the places left (first who fits)."""
    waiting = (
        await Answer.select(Answer.id, Answer.user, Answer.guests)
        .where((Answer.event == event["id"]) & (Answer.waitlisted.eq(True)))
        .order_by(Answer.queue)
    )
    if not waiting:
        return []
    capacity = event["capacity"]
    free = None if capacity is None else capacity - await _places_taken(event["id"])
    promoted: list[dict[str, Any]] = []
    for row in waiting:
        size = 1 + row["guests"]
        if free is None or size <= free:
            promoted.append(row)
            if free is not None:
                free -= size
    if promoted:
        await Answer.update(
            {Answer.waitlisted: False, Answer.promoted_at: now(), Answer.updated_at: now()}
        ).where(Answer.id.is_in([row["id"] for row in promoted]))
    return [int(row["user"]) for row in promoted]


def answer_open(event: dict[str, Any], at: datetime | None = None) -> bool:
    """Answers may change until the deadline (or the start, without one), unless cancelled."""
    at = at or now()
    closes = event["rsvp_deadline"] or event["starts_at"]
    return event["cancelled_at"] is None and at < closes


async def do_answer(event_id: int, user_id: int, status: str, guests: int = 0) -> str:
    """Answer going, maybe or no with a number of guests. Returns where the person stands:
    "going", "waitlisted", "maybe" or "no"."""
    if status not in STATUSES:
        raise Refused(_("Please choose one of the options."), "status")
    async with write_transaction():
        event = await _locked_event(event_id)
        if event["cancelled_at"] is not None:
            raise Refused(_("This event has been cancelled."))
        if not answer_open(event):
            raise Refused(_("Answers for this event are closed."))
        if guests < 0 or (guests and not event["guests_allowed"]):
            raise Refused(_("Guests are not allowed at this event."), "guests")
        if guests > event["max_guests"] and event["guests_allowed"]:
            raise Refused(
                _("You may bring at most %(max)s guests.", max=event["max_guests"]), "guests"
            )
        mine = (
            await Answer.select(Answer.id, Answer.status, Answer.waitlisted, Answer.guests)
            .where((Answer.event == event_id) & (Answer.user == user_id))
            .first()
        )
        waitlisted = False
        queue = None
        if status == GOING:
            already_in = mine is not None and mine["status"] == GOING and not mine["waitlisted"]
            already_waiting = mine is not None and mine["status"] == GOING and mine["waitlisted"]
            capacity = event["capacity"]
            fits = capacity is None or (
                await _places_taken(event_id, except_user=user_id) + 1 + guests <= capacity
            )
            if already_in and not fits:
                raise Refused(_("There are not enough places left for more guests."), "guests")
            if already_waiting:
                waitlisted = True  # keeps their place in line; _promote below lets them in
            elif not fits:
                waitlisted = True
                queue = await _next_queue(event_id)
        values: dict[Any, Any] = {
            Answer.status: status,
            Answer.guests: guests,
            Answer.waitlisted: waitlisted,
            Answer.updated_at: now(),
        }
        if queue is not None:
            values[Answer.queue] = queue
        if mine is None:
            row = Answer(event=event_id, user=user_id)
            for column, value in values.items():
                setattr(row, column._meta.name, value)
            await Answer.insert(row)
        else:
            if status != GOING or not waitlisted:
                values[Answer.promoted_at] = None
            await Answer.update(values).where(Answer.id == mine["id"])
        promoted = await _promote(event)
        await notifications.tell_promoted(event_id, [u for u in promoted if u != user_id])
        if status != GOING or (waitlisted and user_id not in promoted):
            await notifications.forget_reminder(event_id, user_id)
    if user_id in promoted:
        return GOING
    return "waitlisted" if waitlisted else status


async def _next_queue(event_id: int) -> int:
    rows = (
        await Answer.select(Answer.queue)
        .where(Answer.event == event_id)
        .order_by(Answer.queue, ascending=False)
        .first()
    )
    return (rows["queue"] if rows else 0) + 1


async def do_mark_attended(event_id: int, answer_id: int, attended: bool) -> None:
    async with write_transaction():
        updated = (
            await Answer.update({Answer.attended: attended})
            .where((Answer.id == answer_id) & (Answer.event == event_id))
            .returning(Answer.id)
        )
        if not updated:
            raise Refused(_("This answer no longer exists."))


async def do_dismiss_news(user_id: int) -> None:
    """The person has read their news (promoted, cancelled) on Today."""
    async with write_transaction():
        await Answer.update({Answer.seen_at: now()}).where(Answer.user == user_id)


# Notices -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeDetails:
    title: str
    text: str
    pinned: bool
    urgent: bool
    ends_on: date | None
    photo: str = ""  # a photo's stored name from hub.media, or "" for none


async def do_post_notice(
    actor: int, community_id: int, building_id: int | None, details: NoticeDetails
) -> int:
    async with write_transaction():
        rows = await Notice.insert(
            Notice(
                community=community_id,
                building=building_id,
                title=details.title,
                text=details.text,
                pinned=details.pinned,
                urgent=details.urgent,
                ends_on=details.ends_on,
                photo=details.photo,
                created_by=actor,
            )
        ).returning(Notice.id)
        notice_id = int(rows[0]["id"])
        if details.urgent:
            await notifications.tell_urgent_notice(notice_id)
    return notice_id


async def do_edit_notice(notice_id: int, details: NoticeDetails) -> None:
    async with write_transaction():
        await Notice.update(
            {
                Notice.title: details.title,
                Notice.text: details.text,
                Notice.pinned: details.pinned,
                Notice.urgent: details.urgent,
                Notice.ends_on: details.ends_on,
                Notice.photo: details.photo,
            }
        ).where(Notice.id == notice_id)
        if details.urgent:  # made urgent now, or edited: each member is told once per notice
            await notifications.tell_urgent_notice(notice_id)


async def do_retire_notice(notice_id: int) -> None:
    async with write_transaction():
        await Notice.update({Notice.retired_at: now()}).where(
            (Notice.id == notice_id) & (Notice.retired_at.is_null())
        )


# Calendar tokens -----------------------------------------------------------------------------


async def do_calendar_token(user_id: int, *, reset: bool = False) -> str:
    """The user's calendar feed token, made on first use; `reset` replaces it with a new one."""
    async with write_transaction():
        row = (
            await CalendarToken.select(CalendarToken.token)
            .where(CalendarToken.user == user_id)
            .first()
        )
        if row is not None and not reset:
            return str(row["token"])
        token = secrets.token_urlsafe(24)
        if row is None:
            await CalendarToken.insert(CalendarToken(user=user_id, token=token))
        else:
            await CalendarToken.update({CalendarToken.token: token}).where(
                CalendarToken.user == user_id
            )
    return token
