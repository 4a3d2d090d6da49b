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
from datetime import date, datetime
from typing import Any

from hub.audit import record
from hub.clock import now
from hub.community.tables import Building
from hub.db import engine, write_transaction
from hub.errors import Refused
from hub.events import notifications
from hub.events.tables import Answer, CalendarToken, Event, Notice
from hub.i18n import _

GOING, MAYBE, NO = "going", "maybe", "no"
STATUSES = (GOING, MAYBE, NO)
MAX_CAPACITY = 100_000
MAX_GUESTS = 20


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


def event_in(building_id: int, community_id: int | None) -> Any:
    """The events seen from a building: its own and its community's community-wide ones."""
    return (Event.building == building_id) | (
        Event.building.is_null() & (Event.community == community_id)
    )


def notice_in(building_id: int, community_id: int | None) -> Any:
    """The notices seen from a building: its own and its community's community-wide ones."""
    return (Notice.building == building_id) | (
        Notice.building.is_null() & (Notice.community == community_id)
    )


async def _community_of(building_id: int) -> int | None:
    row = await Building.select(Building.community).where(Building.id == building_id).first()
    return int(row["community"]) if row else None


def allowed_guests(event: dict[str, Any], asked: int) -> int:
    """The guests a person may bring, nearest to what they asked: none where guests are not
    allowed, else from 0 to the event's limit."""
    return max(0, min(asked, event["max_guests"] if event["guests_allowed"] else 0))


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
    if building_id is not None and await _community_of(building_id) != community_id:
        raise Refused(_("This building is not in that community."))
    async with write_transaction():
        row = Event(community=community_id, building=building_id, created_by=actor)
        for column, value in _columns(details).items():
            setattr(row, column._meta.name, value)
        rows = await Event.insert(row).returning(Event.id)
        event_id = int(rows[0]["id"])
        await record(
            actor,
            "event.created",
            f"event={event_id} {details.title}",
            building=building_id,
            community=community_id,
        )
    return event_id


async def _locked_event(building_id: int, event_id: int) -> dict[str, Any]:
    """The event's row, if it is seen from this building, locked against every other change to
    it until the transaction ends."""
    query = Event.select(
        Event.id,
        Event.community,
        Event.building,
        Event.capacity,
        Event.rsvp_deadline,
        Event.starts_at,
        Event.cancelled_at,
        Event.guests_allowed,
        Event.max_guests,
    ).where((Event.id == event_id) & event_in(building_id, await _community_of(building_id)))
    if engine().engine_type == "postgres":
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise Refused(_("This event no longer exists."))
    return row


async def _audit_event(actor: int, event: dict[str, Any], action: str, detail: str = "") -> None:
    await record(
        actor,
        action,
        f"event={event['id']} {detail}".strip(),
        building=event["building"],
        community=event["community"],
    )


async def do_update_event(
    actor: int, building_id: int, event_id: int, details: EventDetails
) -> list[int]:
    """Change an event; a larger capacity promotes from the waitlist. Returns who was promoted."""
    _check_details(details)
    async with write_transaction():
        event = await _locked_event(building_id, event_id)
        if event["cancelled_at"] is not None:
            raise Refused(_("This event has been cancelled."))
        await Event.update(_columns(details)).where(Event.id == event_id)
        event["capacity"] = details.capacity
        promoted = await _promote(event)
        await notifications.tell_promoted(event_id, promoted)
        await _audit_event(actor, event, "event.updated", details.title)
        return promoted


async def do_cancel_event(actor: int, building_id: int, event_id: int) -> None:
    """Cancel an event: everyone who answered sees it on their Today page, and those going or
    waiting are told (but not `actor`, who cancelled it)."""
    async with write_transaction():
        event = await _locked_event(building_id, event_id)
        if event["cancelled_at"] is None:
            await Event.update({Event.cancelled_at: now()}).where(Event.id == event_id)
            await notifications.tell_cancelled(event_id, actor)
            await _audit_event(actor, event, "event.cancelled")


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


async def do_answer(
    actor: int, building_id: int, event_id: int, status: str, guests: int = 0
) -> str:
    """The actor answers going, maybe or no with a number of guests. Returns where they stand:
    "going", "waitlisted", "maybe" or "no"."""
    if status not in STATUSES:
        raise Refused(_("Please choose one of the options."), "status")
    async with write_transaction():
        event = await _locked_event(building_id, event_id)
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
            .where((Answer.event == event_id) & (Answer.user == actor))
            .first()
        )
        waitlisted = False
        queue = None
        if status == GOING:
            already_in = mine is not None and mine["status"] == GOING and not mine["waitlisted"]
            already_waiting = mine is not None and mine["status"] == GOING and mine["waitlisted"]
            capacity = event["capacity"]
            fits = capacity is None or (
                await _places_taken(event_id, except_user=actor) + 1 + guests <= capacity
            )
            # Someone with a place keeps it whatever the capacity became; only more guests
            # need room (a leader may have lowered the capacity below the places taken).
            if already_in:
                if not fits and guests > mine["guests"]:
                    raise Refused(_("There are not enough places left for more guests."), "guests")
            elif already_waiting:
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
            row = Answer(event=event_id, user=actor)
            for column, value in values.items():
                setattr(row, column._meta.name, value)
            await Answer.insert(row)
        else:
            if status != GOING or not waitlisted:
                values[Answer.promoted_at] = None
            await Answer.update(values).where(Answer.id == mine["id"])
        promoted = await _promote(event)
        await notifications.tell_promoted(event_id, [u for u in promoted if u != actor])
        if status != GOING or (waitlisted and actor not in promoted):
            await notifications.forget_reminder(event_id, actor)
    if actor in promoted:
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


async def do_mark_attended(
    actor: int, building_id: int, event_id: int, answer_id: int, attended: bool
) -> None:
    async with write_transaction():
        event = await _locked_event(building_id, event_id)
        updated = (
            await Answer.update({Answer.attended: attended})
            .where((Answer.id == answer_id) & (Answer.event == event_id))
            .returning(Answer.id)
        )
        if not updated:
            raise Refused(_("This answer no longer exists."))
        await _audit_event(
            actor, event, "event.attendance", f"answer={answer_id} attended={attended}"
        )


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
        await record(
            actor,
            "notice.posted",
            f"notice={notice_id} {details.title}",
            building=building_id,
            community=community_id,
        )
    return notice_id


async def _notice(building_id: int, notice_id: int) -> dict[str, Any]:
    """The notice, if it is on this building's board (its own or a community-wide one)."""
    row = (
        await Notice.select(Notice.id, Notice.building, Notice.community)
        .where((Notice.id == notice_id) & notice_in(building_id, await _community_of(building_id)))
        .first()
    )
    if row is None:
        raise Refused(_("This is no longer there. Reload the page."))
    return row


async def _audit_notice(actor: int, notice: dict[str, Any], action: str, detail: str = "") -> None:
    await record(
        actor,
        action,
        f"notice={notice['id']} {detail}".strip(),
        building=notice["building"],
        community=notice["community"],
    )


async def do_edit_notice(
    actor: int, building_id: int, notice_id: int, details: NoticeDetails
) -> None:
    async with write_transaction():
        notice = await _notice(building_id, notice_id)
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
        await _audit_notice(actor, notice, "notice.edited", details.title)


async def do_retire_notice(actor: int, building_id: int, notice_id: int) -> None:
    async with write_transaction():
        notice = await _notice(building_id, notice_id)
        retired = (
            await Notice.update({Notice.retired_at: now()})
            .where((Notice.id == notice_id) & (Notice.retired_at.is_null()))
            .returning(Notice.id)
        )
        if retired:
            await _audit_notice(actor, notice, "notice.retired")


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
