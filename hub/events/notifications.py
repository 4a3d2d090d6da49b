"""What events and notices tell people by push: a place from the waitlist, a cancelled event,
the reminder the day before, and an urgent notice. The producers are called by
hub.events.actions inside their write transactions; the reminder is a sweep the worker runs.

A community-wide event or notice has no building of its own: each person opens it from their
own building in the community (hub.community.queries.homes), in that building's time zone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from hub.community.queries import homes, member_ids
from hub.community.tables import Building
from hub.db import write_transaction
from hub.events.tables import Answer, Event, Notice
from hub.i18n import _
from hub.notifications.outbox import cancel, notify
from hub.notifications.texts import when_text
from hub.urls import url

GOING = "going"  # hub.events.actions.GOING, which imports this module
REMIND_BEFORE = timedelta(days=1)
NOTICE_SHOWN = 180

# The kinds events send, declared in hub/events/area.py.
EVENT_REMINDER = "event_reminder"  # the day before
WAITLIST_PROMOTION = "waitlist_promotion"
EVENT_CANCELLED = "event_cancelled"
URGENT_NOTICE = "urgent_notice"  # ignores quiet hours


def reminder_key(event_id: int, user_id: int) -> str:
    return f"event_reminder:{event_id}:{user_id}"


async def _by_building(
    building_id: int | None, community_id: int, user_ids: Iterable[int]
) -> dict[int, tuple[list[int], dict[str, Any]]]:
    """The recipients grouped by the building whose pages they open, each with that building's
    name and time zone (two queries)."""
    users = list(dict.fromkeys(user_ids))
    if not users:
        return {}
    groups: dict[int, list[int]] = defaultdict(list)
    if building_id is not None:
        groups[building_id] = users
    else:
        for user, home in (await homes(community_id, users)).items():
            groups[home].append(user)
    buildings = {
        row["id"]: row
        for row in await Building.select(Building.id, Building.name, Building.timezone).where(
            Building.id.is_in(list(groups) or [0])
        )
    }
    return {b: (people, buildings[b]) for b, people in groups.items() if b in buildings}


async def _event(event_id: int) -> dict[str, Any]:
    row = (
        await Event.select(
            Event.id,
            Event.title,
            Event.place,
            Event.starts_at,
            Event.building,
            Event.community,
        )
        .where(Event.id == event_id)
        .first()
    )
    assert row is not None  # the action has just locked it
    return row


def _params(event: dict[str, Any], building: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": event["title"],
        "place": event["place"],
        "starts_at": event["starts_at"].isoformat(),
        "timezone": building["timezone"],
    }


async def _tell_event(event: dict[str, Any], kind: str, user_ids: Iterable[int]) -> None:
    for building_id, (people, building) in (
        await _by_building(event["building"], event["community"], user_ids)
    ).items():
        await notify(
            people, kind, params=_params(event, building), url=_event_url(building_id, event)
        )


def _event_url(building_id: int, event: dict[str, Any]) -> str:
    return url("events.event", building_id=building_id, event_id=event["id"])


async def tell_promoted(event_id: int, user_ids: list[int]) -> None:
    """Those just moved off the waitlist (the caller leaves out whoever made the change)."""
    if user_ids:
        await _tell_event(await _event(event_id), WAITLIST_PROMOTION, user_ids)


async def tell_cancelled(event_id: int, actor: int | None) -> None:
    """Everyone going or on the waitlist hears the event is off; their reminders go."""
    going = [
        int(row["user"])
        for row in await Answer.select(Answer.user).where(
            (Answer.event == event_id) & (Answer.status == GOING)
        )
    ]
    for user in going:
        await cancel(reminder_key(event_id, user))
    await _tell_event(await _event(event_id), EVENT_CANCELLED, [u for u in going if u != actor])


async def forget_reminder(event_id: int, user_id: int) -> None:
    """The person is no longer going: a reminder not yet sent goes."""
    await cancel(reminder_key(event_id, user_id))


async def tell_urgent_notice(notice_id: int) -> None:
    """Every member of the notice's building (of every building, for a community-wide notice)
    except its author, once per notice however often it is edited."""
    notice = (
        await Notice.select(
            Notice.id,
            Notice.title,
            Notice.text,
            Notice.building,
            Notice.community,
            Notice.created_by,
            Notice.urgent,
            Notice.retired_at,
        )
        .where(Notice.id == notice_id)
        .first()
    )
    if notice is None or not notice["urgent"] or notice["retired_at"] is not None:
        return
    if notice["building"] is not None:
        members = await member_ids(notice["building"], "notices.read")
    else:
        members = list(await homes(notice["community"]))
    recipients = [user for user in members if user != notice["created_by"]]
    for building_id, (people, building) in (
        await _by_building(notice["building"], notice["community"], recipients)
    ).items():
        await notify(
            people,
            URGENT_NOTICE,
            params={
                "building": building["name"],
                "title": notice["title"],
                "text": notice["text"][:NOTICE_SHOWN],
            },
            url=url("events.notice_board", building_id=building_id),
            key=f"urgent_notice:{notice_id}",
        )


async def event_reminder_sweep(now: datetime) -> None:
    """A day before an event that is not cancelled, everyone going (not waitlisted) is reminded
    once; someone who says yes later than that is reminded at once."""
    rows = await Answer.select(Answer.user, Answer.event).where(
        (Answer.status == GOING)
        & Answer.waitlisted.eq(False)
        & Answer.event.cancelled_at.is_null()
        & (Answer.event.starts_at > now)
        & (Answer.event.starts_at <= now + REMIND_BEFORE)
    )
    going: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        going[row["event"]].append(int(row["user"]))
    for event_id, users in going.items():
        event = await _event(event_id)
        groups = await _by_building(event["building"], event["community"], users)
        async with write_transaction():
            for building_id, (people, building) in groups.items():
                for user in people:
                    await notify(
                        [user],
                        EVENT_REMINDER,
                        params=_params(event, building),
                        url=_event_url(building_id, event),
                        key=reminder_key(event_id, user),
                    )


# Words ------------------------------------------------------------------------------------------


def event_reminder_text(params: Mapping[str, Any]) -> tuple[str, str]:
    when = when_text(params["starts_at"], params["timezone"])
    if params["place"]:
        body = _("%(when)s at %(place)s. See you there!", when=when, place=params["place"])
    else:
        body = _("%(when)s. See you there!", when=when)
    return _("Reminder: %(event)s", event=params["event"]), body


def waitlist_promotion_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("You have a place!"), _(
        "A place opened up at “%(event)s” (%(when)s). You are on the list now.",
        event=params["event"],
        when=when_text(params["starts_at"], params["timezone"]),
    )


def event_cancelled_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("Event cancelled"), _(
        "“%(event)s” on %(when)s has been cancelled.",
        event=params["event"],
        when=when_text(params["starts_at"], params["timezone"]),
    )


def urgent_notice_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("Urgent: %(title)s", title=params["title"]), params["text"] or _(
        "A new notice in %(building)s.", building=params["building"]
    )
