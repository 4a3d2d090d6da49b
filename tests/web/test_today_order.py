"""Today is ordered by what this person must do next: a volunteer's running round, then their next
shift, then open places tonight, then their later shifts; a leader's missed rounds and what was
seen on patrol; notices and events after; who is in the building last."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from hub.community.roles import Role
from hub.events import actions as events
from hub.patrols import actions as patrols
from hub.patrols.observations import do_observe
from tests.accounts.pages import en
from tests.factories import World, add_member, make_person
from tests.patrols.world import make_route, make_shift
from tests.web_client import Web, text_of


def main_text(html: str) -> str:
    """The words of the page's main content, without the top bar and the navigation."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def in_order(text: str, *parts: str) -> None:
    places = [text.find(part) for part in parts]
    missing = [part for part, at in zip(parts, places, strict=True) if at < 0]
    assert not missing, f"not on the page: {missing}\n{text}"
    assert places == sorted(places), f"out of order: {sorted(zip(places, parts, strict=True))}"


def post_notice_and_event(world: World) -> None:
    async def make() -> None:
        await events.do_post_notice(
            world.leader.id,
            world.community_id,
            world.building_id,
            events.NoticeDetails(
                title="Water off on Saturday",
                text="9 to 12.",
                pinned=True,
                urgent=False,
                ends_on=None,
            ),
        )
        starts = datetime.now(UTC) + timedelta(days=2)
        await events.do_create_event(
            world.leader.id,
            world.community_id,
            world.building_id,
            events.EventDetails(
                title="Stairwell clean-up",
                description="",
                place="Lobby",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=None,
                rsvp_deadline=None,
                guests_allowed=False,
                max_guests=0,
            ),
        )

    return make()


def test_a_volunteer_sees_the_round_then_the_next_shift_then_open_places(
    web: Web, world: World
) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        other = await make_person("Volunteer Sun")
        await add_member(other, world.building_id, Role.VOLUNTEER)
        await make_shift(world, patrol.route_id, in_hours=3, volunteers=2)  # open tonight
        nearest = await make_shift(world, patrol.route_id, in_hours=2, volunteers=1)
        later = await make_shift(world, patrol.route_id, in_hours=30, volunteers=1)
        for shift_id in (nearest, later):
            await patrols.do_sign_up(world.volunteer.id, world.building_id, shift_id)
        await patrols.do_start_round(
            world.volunteer.id, world.building_id, patrol.route_id, shift_id=None
        )
        await post_notice_and_event(world)

    web.run(make)
    web.sign_in(world.volunteer.login)
    response = web.get("/", headers=en())
    text = main_text(response.text)
    in_order(
        text,
        "Your round",
        "Go on with the round",
        "My shifts",
        "in 2 hours",
        "Open places tonight",
        "Later",
        "Notices",
        "Water off on Saturday",
        "Next events",
        "Stairwell clean-up",
        "Your role:",
    )
    assert text.count("in 2 hours") == 1, "only the next shift says how soon"
    assert "/rounds/" in response.text


def test_no_round_no_round_section(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    assert "Your round" not in text_of(web.get("/", headers=en()))


def test_a_leader_sees_missed_rounds_and_observations_before_notices(
    web: Web, world: World
) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        await make_shift(world, patrol.route_id, in_hours=-2, hours=1, volunteers=1)  # missed
        round_id = await patrols.do_start_round(
            world.volunteer.id, world.building_id, patrol.route_id, shift_id=None
        )
        assert round_id
        _round, check_in = await patrols.do_check_in(
            world.volunteer.id,
            world.building_id,
            patrol.checkpoint_ids[0],
            patrols.CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None, manual=True),
        )
        await do_observe(
            world.volunteer.id,
            world.building_id,
            check_in,
            kind="safety",
            severity="high",
            note="The lobby light is out",
        )
        await post_notice_and_event(world)

    web.run(make)
    web.sign_in(world.leader.login)
    text = main_text(web.get("/", headers=en()).text)
    in_order(
        text,
        "Needs attention",
        "Missed rounds",
        "Seen on patrol",
        "The lobby light is out",
        "Notices",
        "Next events",
        "Your role:",
        "Members",
    )
