"""What events and notices put in the notification outbox: waitlist promotions, cancelled
events, reminders the day before, urgent notices, and their words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.community import actions as community_actions
from hub.community.roles import Role
from hub.events import actions, notifications
from hub.events.notifications import (
    EVENT_CANCELLED,
    EVENT_REMINDER,
    URGENT_NOTICE,
    WAITLIST_PROMOTION,
)
from hub.events.tables import Event
from hub.notifications.texts import render
from tests.events.support import details, home_of, make_event
from tests.factories import Person, World, add_member, make_person
from tests.outbox_rows import outbox, recipients
from tests.web_client import Web


def event_in(web: Web, world: World, hours: float, building: bool = True, **changes: object) -> int:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    return web.run(
        make_event,
        world.leader.id,
        world.community_id,
        world.building_id if building else None,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        **changes,
    )


def answer(web: Web, event_id: int, person: Person, status: str = "going", guests: int = 0) -> str:
    building_id = web.run(home_of, person.id)
    return web.run(actions.do_answer, person.id, building_id, event_id, status, guests)


def second_building(web: Web, world: World) -> tuple[int, Person]:
    """Another building of the same community, with one resident."""
    building_id = web.run(
        community_actions.do_create_building,
        world.admin.id,
        world.community_id,
        name="Building 5",
        address="",
        timezone="Asia/Shanghai",
    )
    neighbour = web.run(make_person, "Neighbour Sun")
    web.run(add_member, neighbour, building_id, Role.RESIDENT)
    return building_id, neighbour


# Waitlist promotion -----------------------------------------------------------------------------


def test_a_freed_place_tells_the_promoted_person(web: Web, world: World) -> None:
    event_id = event_in(web, world, 72, capacity=1)
    answer(web, event_id, world.volunteer)
    assert answer(web, event_id, world.resident) == "waitlisted"
    answer(web, event_id, world.volunteer, "no")
    [row] = outbox(web, WAITLIST_PROMOTION)
    assert row["user"] == world.resident.id
    assert row["url"] == f"/b/{world.building_id}/events/{event_id}"
    assert row["params"]["event"] == "Legal-knowledge talk"
    assert row["params"]["place"] == "Neighbour station"
    assert row["params"]["timezone"] == "Asia/Shanghai"


def test_more_places_tell_everyone_promoted(web: Web, world: World) -> None:
    event_id = event_in(web, world, 72, capacity=1)
    answer(web, event_id, world.leader)
    answer(web, event_id, world.volunteer)
    answer(web, event_id, world.resident)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=72)
    web.run(
        actions.do_update_event,
        world.leader.id,
        world.building_id,
        event_id,
        details(starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=3),
    )
    assert recipients(web, WAITLIST_PROMOTION) == sorted([world.volunteer.id, world.resident.id])


def test_who_lets_themselves_in_is_not_told(web: Web, world: World) -> None:
    event_id = event_in(web, world, 72, capacity=2)
    answer(web, event_id, world.volunteer)
    assert answer(web, event_id, world.resident, guests=2) == "waitlisted"
    assert answer(web, event_id, world.resident, guests=0) == "going"
    assert outbox(web, WAITLIST_PROMOTION) == []


# Cancelled events -------------------------------------------------------------------------------


def test_cancelling_tells_those_going_and_waiting_but_not_the_leader(
    web: Web, world: World
) -> None:
    event_id = event_in(web, world, 72, capacity=2)
    maybe = web.run(make_person, "Neighbour Maybe")
    web.run(add_member, maybe, world.building_id, Role.RESIDENT)
    answer(web, event_id, world.leader)
    answer(web, event_id, world.volunteer)
    answer(web, event_id, world.resident)  # waitlisted
    answer(web, event_id, maybe, "maybe")
    web.run(actions.do_cancel_event, world.leader.id, world.building_id, event_id)
    rows = outbox(web, EVENT_CANCELLED)
    assert sorted(row["user"] for row in rows) == sorted([world.volunteer.id, world.resident.id])
    assert {row["url"] for row in rows} == {f"/b/{world.building_id}/events/{event_id}"}
    web.run(actions.do_cancel_event, world.leader.id, world.building_id, event_id)
    assert len(outbox(web, EVENT_CANCELLED)) == 2  # cancelled once, told once


def test_a_cancel_rolled_back_leaves_no_notification(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = event_in(web, world, 72)
    answer(web, event_id, world.volunteer)
    real = notifications.tell_cancelled

    async def tell_then_fail(*args: object) -> None:
        await real(*args)  # type: ignore[arg-type]
        raise RuntimeError("the transaction fails after the notifications were queued")

    monkeypatch.setattr(notifications, "tell_cancelled", tell_then_fail)
    with pytest.raises(RuntimeError):
        web.run(actions.do_cancel_event, world.leader.id, world.building_id, event_id)

    async def cancelled() -> bool:
        return await Event.exists().where(Event.cancelled_at.is_not_null())

    assert web.run(cancelled) is False
    assert outbox(web) == []


# Reminders --------------------------------------------------------------------------------------


def test_the_day_before_those_going_are_reminded_once(web: Web, world: World) -> None:
    tomorrow = event_in(web, world, 20, capacity=1)
    later = event_in(web, world, 72)
    answer(web, tomorrow, world.volunteer)
    answer(web, tomorrow, world.resident)  # waitlisted
    answer(web, later, world.resident)
    now = datetime.now(UTC)
    web.run(notifications.event_reminder_sweep, now)
    web.run(notifications.event_reminder_sweep, now + timedelta(minutes=1))
    [row] = outbox(web, EVENT_REMINDER)
    assert row["user"] == world.volunteer.id
    assert row["key"] == f"event_reminder:{tomorrow}:{world.volunteer.id}"
    assert row["url"] == f"/b/{world.building_id}/events/{tomorrow}"


def test_a_reminder_not_yet_sent_goes_when_the_answer_or_the_event_does(
    web: Web, world: World
) -> None:
    event_id = event_in(web, world, 20)
    answer(web, event_id, world.volunteer)
    answer(web, event_id, world.resident)
    web.run(notifications.event_reminder_sweep, datetime.now(UTC))
    answer(web, event_id, world.volunteer, "no")
    assert recipients(web, EVENT_REMINDER) == [world.resident.id]
    web.run(actions.do_cancel_event, world.leader.id, world.building_id, event_id)
    assert outbox(web, EVENT_REMINDER) == []
    web.run(notifications.event_reminder_sweep, datetime.now(UTC))
    assert outbox(web, EVENT_REMINDER) == []


def test_a_community_wide_event_links_to_each_person_s_own_building(web: Web, world: World) -> None:
    building_id, neighbour = second_building(web, world)
    event_id = event_in(web, world, 20, building=False)
    answer(web, event_id, neighbour)
    answer(web, event_id, world.resident)
    web.run(notifications.event_reminder_sweep, datetime.now(UTC))
    urls = {row["user"]: row["url"] for row in outbox(web, EVENT_REMINDER)}
    assert urls == {
        neighbour.id: f"/b/{building_id}/events/{event_id}",
        world.resident.id: f"/b/{world.building_id}/events/{event_id}",
    }


# Urgent notices ---------------------------------------------------------------------------------


def notice(urgent: bool, title: str = "Water off") -> actions.NoticeDetails:
    return actions.NoticeDetails(
        title=title, text="No water 9:00-12:00 today.", pinned=False, urgent=urgent, ends_on=None
    )


def test_an_urgent_notice_tells_every_member_but_its_author(web: Web, world: World) -> None:
    web.run(
        actions.do_post_notice,
        world.leader.id,
        world.community_id,
        world.building_id,
        notice(False),
    )
    assert outbox(web) == []
    notice_id = web.run(
        actions.do_post_notice, world.leader.id, world.community_id, world.building_id, notice(True)
    )
    rows = outbox(web, URGENT_NOTICE)
    assert sorted(row["user"] for row in rows) == sorted([world.volunteer.id, world.resident.id])
    assert {row["url"] for row in rows} == {f"/b/{world.building_id}/notices"}
    assert {row["key"] for row in rows} == {f"urgent_notice:{notice_id}"}
    assert rows[0]["params"] == {
        "building": "Building 2",
        "title": "Water off",
        "text": "No water 9:00-12:00 today.",
    }
    web.run(
        actions.do_edit_notice,
        world.leader.id,
        world.building_id,
        notice_id,
        notice(True, "Water off (updated)"),
    )
    assert len(outbox(web, URGENT_NOTICE)) == 2


def test_a_notice_made_urgent_later_tells_everyone_then(web: Web, world: World) -> None:
    notice_id = web.run(
        actions.do_post_notice,
        world.leader.id,
        world.community_id,
        world.building_id,
        notice(False),
    )
    web.run(actions.do_edit_notice, world.leader.id, world.building_id, notice_id, notice(True))
    assert recipients(web, URGENT_NOTICE) == sorted([world.volunteer.id, world.resident.id])


def test_a_community_wide_urgent_notice_reaches_every_building(web: Web, world: World) -> None:
    building_id, neighbour = second_building(web, world)
    web.run(actions.do_post_notice, world.admin.id, world.community_id, None, notice(True))
    urls = {row["user"]: row["url"] for row in outbox(web, URGENT_NOTICE)}
    assert urls == {
        world.leader.id: f"/b/{world.building_id}/notices",
        world.volunteer.id: f"/b/{world.building_id}/notices",
        world.resident.id: f"/b/{world.building_id}/notices",
        neighbour.id: f"/b/{building_id}/notices",
    }


def test_the_notice_form_says_urgent_notifies_everyone(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    page = web.get(f"/b/{world.building_id}/notices/new", headers={"Accept-Language": "en"})
    assert "Urgent: notify everyone now, even in quiet hours" in page.text


# Words ------------------------------------------------------------------------------------------

EVENT = {
    "event": "Legal talk",
    "place": "Neighbour station",
    "starts_at": "2026-12-06T06:30:00+00:00",  # Sunday 14:30 in Shanghai
    "timezone": "Asia/Shanghai",
}


def test_event_reminder_words() -> None:
    assert render(EVENT_REMINDER, EVENT, "en") == (
        "Reminder: Legal talk",
        "Sun 6 Dec 14:30 at Neighbour station. See you there!",
    )
    assert render(EVENT_REMINDER, EVENT, "zh") == (
        "活动提醒：Legal talk",
        "12月6日 周日 14:30，在Neighbour station。到时见！",
    )
    assert render(EVENT_REMINDER, {**EVENT, "place": ""}, "en")[1] == (
        "Sun 6 Dec 14:30. See you there!"
    )


def test_waitlist_promotion_words() -> None:
    assert render(WAITLIST_PROMOTION, EVENT, "en") == (
        "You have a place!",
        "A place opened up at “Legal talk” (Sun 6 Dec 14:30). You are on the list now.",
    )
    assert render(WAITLIST_PROMOTION, EVENT, "zh") == (
        "您有位置了！",
        "“Legal talk”（12月6日 周日 14:30）空出了位置，您已经在参加名单上了。",
    )


def test_event_cancelled_words() -> None:
    assert render(EVENT_CANCELLED, EVENT, "en") == (
        "Event cancelled",
        "“Legal talk” on Sun 6 Dec 14:30 has been cancelled.",
    )
    assert render(EVENT_CANCELLED, EVENT, "zh") == (
        "活动取消了",
        "原定 12月6日 周日 14:30 的“Legal talk”取消了。",
    )


def test_urgent_notice_words() -> None:
    params = {"building": "2号楼", "title": "停水", "text": "今天9点到12点停水。"}
    assert render(URGENT_NOTICE, params, "en") == ("Urgent: 停水", "今天9点到12点停水。")
    assert render(URGENT_NOTICE, params, "zh") == ("紧急通知：停水", "今天9点到12点停水。")
    assert render(URGENT_NOTICE, {**params, "text": ""}, "zh")[1] == "2号楼 有一条新通知。"
