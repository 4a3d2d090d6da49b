"""What patrols add to Today: my shifts with the "Start round" button, open places tonight, and
for leaders the missed rounds and empty shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.community.roles import Role
from hub.patrols import actions
from hub.patrols.today import today_shifts
from tests.accounts.pages import assert_page, en, parse
from tests.factories import World, add_member, make_person
from tests.patrols.test_logbook import old_route, on_shift, past_shift
from tests.patrols.world import make_route, make_shift
from tests.web_client import Web, text_of


def start_forms(html: str) -> list[str]:
    return [
        element.form or ""
        for element in parse(html)
        if element.tag == "input" and element.attrs.get("name") == "shift_id"
    ]


@pytest.mark.parametrize("htmx", [False, True])
def test_my_shifts_next_first_with_who_else_and_the_start_button(
    web: Web, world: World, htmx: bool
) -> None:
    async def make() -> dict[str, int]:
        patrol = await make_route(world)
        later = await make_shift(world, patrol.route_id, in_hours=30, volunteers=2)
        soon = await make_shift(world, patrol.route_id, in_hours=0.5, volunteers=2)
        running = await make_shift(world, patrol.route_id, in_hours=-0.5, volunteers=1)
        # ended five hours ago: too long ago to be walked late
        over = await make_shift(world, patrol.route_id, in_hours=-6, volunteers=1)
        await on_shift(over, world.volunteer.id)
        for shift_id in (later, soon, running):
            await actions.do_sign_up(world.volunteer.id, world.building_id, shift_id)
        await actions.do_sign_up(world.leader.id, world.building_id, soon)
        return {"later": later, "soon": soon, "running": running, "route": patrol.route_id}

    ids = web.run(make)
    mine, _open = web.run(today_shifts, world.building_id, world.volunteer.id)
    assert [shift.id for shift in mine] == [ids["running"], ids["soon"], ids["later"]]
    assert [shift.can_start for shift in mine] == [True, True, False]
    assert mine[1].others == ["Leader Wang"]

    web.sign_in(world.volunteer.login)
    response = web.get("/", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "My shifts" in text
    assert "With Leader Wang" in text
    assert "Only you so far" in text
    assert text.count("Start round") == 2
    action = f"/b/{world.building_id}/routes/{ids['route']}/rounds"
    assert start_forms(response.text) == [action, action]
    assert f'name="shift_id" value="{ids["soon"]}"' in response.text
    assert f'name="shift_id" value="{ids["later"]}"' not in response.text
    assert 'name="_csrf_token"' in response.text


def test_open_places_tonight_are_the_next_12_hours_not_full_and_not_mine(
    web: Web, world: World
) -> None:
    async def make() -> dict[str, int]:
        patrol = await make_route(world)
        other = await make_person("Volunteer Sun")
        await add_member(other, world.building_id, Role.VOLUNTEER)
        ids = {
            "open": await make_shift(world, patrol.route_id, in_hours=3, volunteers=2),
            "full": await make_shift(world, patrol.route_id, in_hours=4, volunteers=1),
            "mine": await make_shift(world, patrol.route_id, in_hours=5, volunteers=3),
            "tomorrow": await make_shift(world, patrol.route_id, in_hours=13, volunteers=2),
        }
        await actions.do_sign_up(other.id, world.building_id, ids["open"])
        await actions.do_sign_up(other.id, world.building_id, ids["full"])
        await actions.do_sign_up(world.volunteer.id, world.building_id, ids["mine"])
        return ids

    ids = web.run(make)
    _mine, open_places = web.run(today_shifts, world.building_id, world.volunteer.id)
    assert [(shift.id, shift.open_places) for shift in open_places] == [(ids["open"], 1)]
    web.sign_in(world.volunteer.login)
    text = text_of(web.get("/", headers=en()))
    assert "Open places tonight" in text
    assert "1 place open" in text


def test_a_volunteer_with_nothing_planned_is_told_so(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    text = text_of(web.get("/", headers=en()))
    assert "You have no shifts coming up." in text
    assert "Start round" not in text
    assert "Needs attention" not in text


def test_residents_get_no_patrol_sections(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    text = text_of(web.get("/", headers=en()))
    assert "My shifts" not in text
    assert "Needs attention" not in text


@pytest.mark.parametrize("htmx", [False, True])
def test_leaders_see_missed_rounds_and_empty_shifts_first(
    web: Web, world: World, htmx: bool
) -> None:
    async def make() -> None:
        patrol = await old_route(world)
        missed = await past_shift(patrol, datetime.now(UTC) - timedelta(hours=5))
        await on_shift(missed, world.volunteer.id)
        await make_shift(world, patrol.route_id, in_hours=10, volunteers=2)

    web.run(make)
    web.sign_in(world.leader.login)
    response = web.get("/", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Needs attention" in text
    assert "Missed rounds" in text
    assert "North" in text
    assert "Volunteer Li" in text
    assert "No volunteers yet, next 24 hours" in text
    assert "2 places open" in text
    assert f'href="/b/{world.building_id}/logbook"' in response.text
    assert text.index("Needs attention") < text.index("My shifts")


def test_leaders_see_only_five_of_each_and_how_many_more(web: Web, world: World) -> None:
    async def make() -> None:
        patrol = await old_route(world)
        for hours in range(1, 9):
            await make_shift(world, patrol.route_id, in_hours=hours)

    web.run(make)
    web.sign_in(world.admin.login)
    text = text_of(web.get("/", headers=en()))
    assert "and 3 more" in text


def test_leaders_with_nothing_to_worry_about_get_no_attention_section(
    web: Web, world: World
) -> None:
    web.sign_in(world.leader.login)
    text = text_of(web.get("/", headers=en()))
    assert "Needs attention" not in text
    assert "My shifts" in text
