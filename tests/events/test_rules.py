"""The rules of answers and the waitlist, called directly, on the app's own event loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hub.errors import Refused
from hub.events import actions, queries
from hub.events.tables import Answer, Event
from hub.i18n import current_language
from tests.events.support import details, make_event, make_users
from tests.factories import World
from tests.web_client import Web


async def standing(event_id: int) -> list[dict]:
    return (
        await Answer.select(
            Answer.user,
            Answer.status,
            Answer.guests,
            Answer.waitlisted,
            Answer.queue,
            Answer.promoted_at,
        )
        .where(Answer.event == event_id)
        .order_by(Answer.queue)
    )


def places_taken(rows: list[dict]) -> int:
    return sum(1 + r["guests"] for r in rows if r["status"] == "going" and not r["waitlisted"])


def waitlist(rows: list[dict]) -> list[int]:
    return [r["user"] for r in rows if r["status"] == "going" and r["waitlisted"]]


def test_fifty_people_at_once_for_twenty_places(web: Web, world: World) -> None:
    async def race() -> tuple[int, list[int], list[str]]:
        event_id = await make_event(world.leader.id, world.community_id, world.building_id)
        people = await make_users(50)
        results = await asyncio.gather(
            *(actions.do_answer(user, world.building_id, event_id, "going") for user in people)
        )
        return event_id, people, list(results)

    event_id, _people, results = web.run(race)
    rows = web.run(standing, event_id)
    assert places_taken(rows) == 20
    assert len(waitlist(rows)) == 30
    assert results.count("going") == 20
    assert results.count("waitlisted") == 30
    queue = [r["queue"] for r in rows if r["waitlisted"]]
    assert queue == list(range(1, 31)), "the waitlist is one line, in the order people came"


def test_concurrent_cancellations_promote_in_order_without_overbooking(
    web: Web, world: World
) -> None:
    async def setup() -> tuple[int, list[int]]:
        event_id = await make_event(world.leader.id, world.community_id, world.building_id)
        people = await make_users(50)
        for user in people:  # one after the other: the first 20 go, the rest wait in this order
            await actions.do_answer(user, world.building_id, event_id, "going")
        return event_id, people

    event_id, people = web.run(setup)
    line = waitlist(web.run(standing, event_id))
    assert line == people[20:]
    newcomers = web.run(make_users, 10, "Latecomer")

    async def race() -> None:
        await asyncio.gather(
            *(actions.do_answer(user, world.building_id, event_id, "no") for user in people[:10]),
            *(
                actions.do_answer(user, world.building_id, event_id, "going", 0)
                for user in newcomers
            ),
            *(
                actions.do_answer(user, world.building_id, event_id, "going", 0)
                for user in people[10:20]
            ),
        )

    web.run(race)
    rows = web.run(standing, event_id)
    assert places_taken(rows) == 20
    going = {r["user"] for r in rows if r["status"] == "going" and not r["waitlisted"]}
    assert going == set(people[10:20]) | set(line[:10]), "the first ten in line were promoted"
    assert waitlist(rows)[:20] == line[10:]
    assert set(waitlist(rows)[20:]) == set(newcomers), "newcomers queue behind the line"
    promoted = {r["user"] for r in rows if r["promoted_at"] is not None}
    assert promoted == set(line[:10])


def test_first_who_fits_is_promoted(web: Web, world: World) -> None:
    async def scenario() -> None:
        event_id = await make_event(
            world.leader.id, world.community_id, world.building_id, capacity=4
        )
        a, b, c, d = await make_users(4)
        assert (
            await actions.do_answer(a, world.building_id, event_id, "going", 1) == "going"
        )  # 2 places
        assert (
            await actions.do_answer(d, world.building_id, event_id, "going", 1) == "going"
        )  # 4 places: full
        assert (
            await actions.do_answer(b, world.building_id, event_id, "going", 2) == "waitlisted"
        )  # party of 3
        assert (
            await actions.do_answer(c, world.building_id, event_id, "going", 0) == "waitlisted"
        )  # party of 1
        await actions.do_answer(
            a, world.building_id, event_id, "going", 0
        )  # one place frees: only c fits
        rows = await standing(event_id)
        assert waitlist(rows) == [b]
        assert places_taken(rows) == 4
        await actions.do_answer(
            d, world.building_id, event_id, "maybe"
        )  # two free: b (3) still does not fit
        assert waitlist(await standing(event_id)) == [b]
        await actions.do_update_event(
            world.leader.id, world.building_id, event_id, details(capacity=6)
        )  # raised: b fits now
        rows = await standing(event_id)
        assert waitlist(rows) == []
        assert places_taken(rows) == 5
        news = await queries.news(world.building_id, world.community_id, b)
        assert [item["kind"] for item in news] == ["promoted"]

    web.run(scenario)


def test_more_guests_than_places_is_refused_and_limits_hold(web: Web, world: World) -> None:
    async def scenario() -> None:
        event_id = await make_event(
            world.leader.id, world.community_id, world.building_id, capacity=2
        )
        a, b = await make_users(2)
        await actions.do_answer(a, world.building_id, event_id, "going", 0)
        await actions.do_answer(b, world.building_id, event_id, "going", 0)
        with pytest.raises(Refused):
            await actions.do_answer(a, world.building_id, event_id, "going", 1)
        with pytest.raises(Refused):
            await actions.do_answer(
                a, world.building_id, event_id, "going", 3
            )  # at most 2 guests each
        with pytest.raises(Refused):
            await actions.do_answer(a, world.building_id, event_id, "sometimes")
        no_guests = await make_event(
            world.leader.id, world.community_id, world.building_id, guests_allowed=False
        )
        with pytest.raises(Refused):
            await actions.do_answer(a, world.building_id, no_guests, "going", 1)
        assert places_taken(await standing(event_id)) == 2

    web.run(scenario)


def test_a_place_is_kept_when_the_capacity_is_lowered_below_the_places_taken(
    web: Web, world: World
) -> None:
    async def scenario() -> None:
        event_id = await make_event(
            world.leader.id, world.community_id, world.building_id, capacity=6
        )
        a, b = await make_users(2)
        await actions.do_answer(a, world.building_id, event_id, "going", 2)
        await actions.do_answer(b, world.building_id, event_id, "going", 2)
        await actions.do_update_event(
            world.leader.id, world.building_id, event_id, details(capacity=3)
        )  # 6 places taken of 3
        # Saying "going" again, or bringing fewer guests, keeps the place it already holds.
        assert await actions.do_answer(a, world.building_id, event_id, "going", 2) == "going"
        assert await actions.do_answer(b, world.building_id, event_id, "going", 1) == "going"
        with pytest.raises(Refused):  # more guests still need room
            await actions.do_answer(b, world.building_id, event_id, "going", 2)
        rows = await standing(event_id)
        assert waitlist(rows) == []
        assert places_taken(rows) == 5

    web.run(scenario)


def test_answers_change_until_the_deadline_only(web: Web, world: World) -> None:
    starts = datetime.now(UTC) + timedelta(days=1)

    async def scenario() -> None:
        open_event = await make_event(
            world.leader.id,
            world.community_id,
            world.building_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            rsvp_deadline=starts - timedelta(hours=2),
        )
        closed = await make_event(
            world.leader.id,
            world.community_id,
            world.building_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            rsvp_deadline=datetime.now(UTC) - timedelta(minutes=1),
        )
        (person,) = await make_users(1)
        current_language.set("en")
        assert await actions.do_answer(person, world.building_id, open_event, "maybe") == "maybe"
        assert await actions.do_answer(person, world.building_id, open_event, "going", 2) == "going"
        with pytest.raises(Refused, match="closed"):
            await actions.do_answer(person, world.building_id, closed, "going")
        with pytest.raises(Refused):
            await actions.do_create_event(
                world.leader.id,
                world.community_id,
                world.building_id,
                details(
                    rsvp_deadline=starts + timedelta(minutes=1),
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                ),
            )

    web.run(scenario)


def test_cancelling_tells_everyone_who_answered(web: Web, world: World) -> None:
    async def scenario() -> None:
        event_id = await make_event(world.leader.id, world.community_id, world.building_id)
        await actions.do_answer(world.resident.id, world.building_id, event_id, "going")
        await actions.do_answer(world.volunteer.id, world.building_id, event_id, "maybe")
        await actions.do_cancel_event(world.leader.id, world.building_id, event_id)
        for person in (world.resident, world.volunteer):
            news = await queries.news(world.building_id, world.community_id, person.id)
            assert [item["kind"] for item in news] == ["cancelled"]
        assert await queries.news(world.building_id, world.community_id, world.leader.id) == []
        with pytest.raises(Refused):
            await actions.do_answer(world.resident.id, world.building_id, event_id, "no")
        await actions.do_dismiss_news(world.resident.id)
        assert await queries.news(world.building_id, world.community_id, world.resident.id) == []

    web.run(scenario)


def test_an_event_is_made_only_for_a_building_of_its_community(web: Web, world: World) -> None:
    async def scenario() -> int:
        current_language.set("en")
        with pytest.raises(Refused, match="not in that community"):
            await make_event(world.leader.id, world.community_id, world.other_building_id)
        return await Event.count()

    assert web.run(scenario) == 0
