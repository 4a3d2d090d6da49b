"""What patrols put in the notification outbox: shift reminders, tonight's open places, missed
rounds and new observations, each with its recipients, link, key and time, and its words."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.community.roles import Role
from hub.notifications.texts import render
from hub.patrols import actions, notifications
from hub.patrols.actions import CheckInInput
from hub.patrols.notifications import MISSED_ROUND, OPEN_PLACES, SHIFT_REMINDER
from hub.patrols.observations import NEW_OBSERVATION, do_observe
from hub.patrols.tables import Shift, ShiftSignup
from hub.settings import SettingsError, get_settings, load_settings
from tests.factories import Person, World, add_member, make_person
from tests.outbox_rows import outbox, recipients
from tests.patrols.world import make_route, make_shift
from tests.web_client import Web

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shift_start(web: Web, shift_id: int) -> datetime:
    async def read() -> datetime:
        row = await Shift.select(Shift.starts_at).where(Shift.id == shift_id).first()
        assert row is not None
        return row["starts_at"]

    return web.run(read)


def new_shift(web: Web, world: World, **kwargs: float) -> int:
    async def make() -> int:
        patrol = await make_route(world)
        return await make_shift(world, patrol.route_id, **kwargs)  # type: ignore[arg-type]

    return web.run(make)


# Shift reminders --------------------------------------------------------------------------------


def test_signing_up_schedules_a_reminder_an_hour_before(web: Web, world: World) -> None:
    shift_id = new_shift(web, world, volunteers=2)
    web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    [row] = outbox(web, SHIFT_REMINDER)
    assert row["user"] == world.volunteer.id
    assert row["due_at"] == shift_start(web, shift_id) - timedelta(minutes=60)
    assert row["key"] == f"shift_reminder:{shift_id}:{world.volunteer.id}"
    assert row["url"] == f"/b/{world.building_id}/patrols"
    assert row["params"]["route"] == "North"
    assert row["params"]["building"] == "Building 2"
    assert row["params"]["timezone"] == "Asia/Shanghai"


def test_a_leader_assigning_schedules_the_reminder_for_the_volunteer(
    web: Web, world: World
) -> None:
    shift_id = new_shift(web, world)
    web.run(actions.do_assign, world.leader.id, world.building_id, shift_id, world.volunteer.id)
    assert recipients(web, SHIFT_REMINDER) == [world.volunteer.id]


def test_withdrawing_or_being_removed_cancels_only_that_reminder(web: Web, world: World) -> None:
    shift_id = new_shift(web, world, volunteers=2)
    web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    web.run(actions.do_sign_up, world.leader.id, world.building_id, shift_id)
    web.run(actions.do_withdraw, world.volunteer.id, world.building_id, shift_id)
    assert recipients(web, SHIFT_REMINDER) == [world.leader.id]
    web.run(actions.do_unassign, world.leader.id, world.building_id, shift_id, world.leader.id)
    assert outbox(web, SHIFT_REMINDER) == []
    web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    assert recipients(web, SHIFT_REMINDER) == [world.volunteer.id]


def test_the_reminder_time_is_a_setting(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dataclasses.replace(get_settings(), shift_reminder_minutes=30)
    monkeypatch.setattr(notifications, "get_settings", lambda: settings)
    shift_id = new_shift(web, world)
    web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    [row] = outbox(web, SHIFT_REMINDER)
    assert row["due_at"] == shift_start(web, shift_id) - timedelta(minutes=30)


@pytest.mark.parametrize("raw", ["0", "1441", "an hour", "-5"])
def test_a_bad_reminder_time_names_its_setting(tmp_path: Path, raw: str) -> None:
    assert load_settings({"HUB_DATA_DIR": str(tmp_path)}).shift_reminder_minutes == 60
    good = {"HUB_DATA_DIR": str(tmp_path), "HUB_SHIFT_REMINDER_MINUTES": "90"}
    assert load_settings(good).shift_reminder_minutes == 90
    with pytest.raises(SettingsError, match="HUB_SHIFT_REMINDER_MINUTES"):
        load_settings({**good, "HUB_SHIFT_REMINDER_MINUTES": raw})


def test_no_reminder_for_a_shift_already_running(web: Web, world: World) -> None:
    shift_id = new_shift(web, world, in_hours=-0.5)
    web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    assert web.run(ShiftSignup.count) == 1
    assert outbox(web, SHIFT_REMINDER) == []


def test_a_sign_up_rolled_back_leaves_no_reminder(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    shift_id = new_shift(web, world)
    real = notifications.remind_shift

    async def remind_then_fail(*args: int) -> None:
        await real(*args)
        raise RuntimeError("the transaction fails after the reminder was queued")

    monkeypatch.setattr(actions, "remind_shift", remind_then_fail)
    with pytest.raises(RuntimeError):
        web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    assert web.run(ShiftSignup.count) == 0
    assert outbox(web) == []


# Tonight's open places --------------------------------------------------------------------------


def at_local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = datetime.now(SHANGHAI).date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def _shift_at(route_id: int, start: datetime, places: int) -> int:
    rows = await Shift.insert(
        Shift(
            route=route_id, starts_at=start, ends_at=start + timedelta(hours=1), volunteers=places
        )
    ).returning(Shift.id)
    return int(rows[0]["id"])


def tonight_world(web: Web, world: World) -> tuple[Person, int]:
    """Tomorrow evening at 19:00 a shift with two places, one taken by the volunteer; a second
    volunteer has no shift. Returns that free volunteer and the shift."""

    async def make() -> tuple[Person, int]:
        patrol = await make_route(world)
        free = await make_person("Volunteer Sun")
        await add_member(free, world.building_id, Role.VOLUNTEER)
        shift_id = await _shift_at(patrol.route_id, at_local(1, 19), 2)
        await ShiftSignup.insert(ShiftSignup(shift=shift_id, user=world.volunteer.id))
        return free, shift_id

    return web.run(make)


def test_open_places_tonight_go_to_volunteers_and_leaders_without_a_shift_once(
    web: Web, world: World
) -> None:
    free, _shift = tonight_world(web, world)
    now = at_local(1, 16, 5)
    web.run(notifications.open_places_sweep, now)
    web.run(notifications.open_places_sweep, now + timedelta(minutes=1))
    rows = outbox(web, OPEN_PLACES)
    assert sorted(row["user"] for row in rows) == sorted([free.id, world.leader.id])
    day = at_local(1, 16).astimezone(SHANGHAI).date().isoformat()
    assert {row["key"] for row in rows} == {f"open_places:{world.building_id}:{day}"}
    assert {row["url"] for row in rows} == {f"/b/{world.building_id}/patrols"}
    assert rows[0]["params"]["places"] == 1
    assert rows[0]["params"]["first"] == at_local(1, 19).isoformat()


def test_no_open_places_notice_before_four_in_the_afternoon(web: Web, world: World) -> None:
    tonight_world(web, world)
    web.run(notifications.open_places_sweep, at_local(1, 15, 59))
    assert outbox(web, OPEN_PLACES) == []


def test_a_full_shift_or_one_tomorrow_morning_announces_nothing(web: Web, world: World) -> None:
    _free, shift_id = tonight_world(web, world)

    async def fill_and_add_a_morning_shift() -> None:
        await ShiftSignup.insert(ShiftSignup(shift=shift_id, user=world.leader.id))
        route = await Shift.select(Shift.route).where(Shift.id == shift_id).first()
        assert route is not None
        await _shift_at(route["route"], at_local(2, 7), 1)

    web.run(fill_and_add_a_morning_shift)
    web.run(notifications.open_places_sweep, at_local(1, 17))
    assert outbox(web, OPEN_PLACES) == []


# Missed rounds ----------------------------------------------------------------------------------


def test_a_shift_ended_without_a_round_tells_the_leaders_once(web: Web, world: World) -> None:
    shift_id = new_shift(web, world, in_hours=-2)  # ended an hour ago
    web.run(ShiftSignup.insert, ShiftSignup(shift=shift_id, user=world.volunteer.id))
    now = datetime.now(UTC)
    web.run(notifications.missed_round_sweep, now)
    web.run(notifications.missed_round_sweep, now + timedelta(minutes=1))
    [row] = outbox(web, MISSED_ROUND)
    assert row["user"] == world.leader.id
    assert row["key"] == f"missed_round:{shift_id}"
    assert row["url"].startswith(f"/b/{world.building_id}/logbook?week=")
    assert row["params"]["volunteers"] == ["Volunteer Li"]
    assert row["params"]["route"] == "North"


def test_a_walked_shift_or_one_just_ended_is_not_missed(web: Web, world: World) -> None:
    walked = new_shift(web, world, in_hours=-2)
    new_shift(web, world, in_hours=-1.2)  # ended 12 minutes ago: still time to finish

    async def walk() -> None:
        await ShiftSignup.insert(ShiftSignup(shift=walked, user=world.volunteer.id))
        route = await Shift.select(Shift.route).where(Shift.id == walked).first()
        assert route is not None
        round_id = await actions.do_start_round(
            world.volunteer.id, world.building_id, route["route"], shift_id=walked
        )
        await actions.do_finish_round(world.volunteer.id, world.building_id, round_id, {})

    web.run(walk)
    web.run(notifications.missed_round_sweep, datetime.now(UTC))
    assert outbox(web, MISSED_ROUND) == []


# New observations -------------------------------------------------------------------------------


def observe(web: Web, world: World, observer: Person, **fields: str) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        patrol = await make_route(world)
        round_id = await actions.do_start_round(
            observer.id, world.building_id, patrol.route_id, shift_id=None
        )
        _round, check_in_id = await actions.do_check_in(
            observer.id,
            world.building_id,
            patrol.checkpoint_ids[0],
            CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None),
        )
        values = {"kind": "repair", "severity": "high", "note": "Lobby light out", **fields}
        await do_observe(observer.id, world.building_id, check_in_id, **values)
        return round_id, check_in_id

    return web.run(run)


def test_an_observation_goes_to_the_leaders_with_a_link_to_the_round(
    web: Web, world: World
) -> None:
    round_id, _check_in = observe(web, world, world.volunteer)
    [row] = outbox(web, NEW_OBSERVATION)
    assert row["user"] == world.leader.id
    assert row["url"] == f"/b/{world.building_id}/rounds/{round_id}"
    assert row["params"] == {
        "building": "Building 2",
        "checkpoint": "Lobby",
        "volunteer": "Volunteer Li",
        "kind": "repair",
        "severity": "high",
        "note": "Lobby light out",
    }


def test_a_leader_s_own_observation_goes_to_the_other_leaders_only(web: Web, world: World) -> None:
    second = web.run(make_person, "Leader Zhou")
    web.run(add_member, second, world.building_id, Role.LEADER)
    observe(web, world, world.leader)
    assert recipients(web, NEW_OBSERVATION) == [second.id]


# Words ------------------------------------------------------------------------------------------

STARTS = "2026-12-06T11:00:00+00:00"  # Sunday 19:00 in Shanghai


def test_shift_reminder_words() -> None:
    params = {
        "building": "2号楼",
        "route": "North",
        "starts_at": STARTS,
        "timezone": "Asia/Shanghai",
    }
    title, body = render(SHIFT_REMINDER, params, "en")
    assert title == "Your patrol starts soon"
    assert body == "2号楼, North: starts Sun 6 Dec 19:00. Tap here to start the round."
    title, body = render(SHIFT_REMINDER, params, "zh")
    assert title == "您的巡逻快开始了"
    assert body == "2号楼 North：12月6日 周日 19:00 开始。点这里开始巡逻。"


def test_open_places_words_count_the_places() -> None:
    params = {"building": "2号楼", "places": 3, "first": STARTS, "timezone": "Asia/Shanghai"}
    title, body = render(OPEN_PLACES, params, "en")
    assert title == "Tonight's patrol needs you"
    assert "3 places are open" in body
    assert "19:00" in body
    assert "1 place is open" in render(OPEN_PLACES, {**params, "places": 1}, "en")[1]
    title, body = render(OPEN_PLACES, params, "zh")
    assert title == "今晚巡逻需要您"
    assert body == "2号楼：今晚巡逻还有 3 个空位，最早 12月6日 周日 19:00 开始。您能来帮忙吗？"


def test_missed_round_words_name_the_volunteers_or_say_nobody_was_on() -> None:
    params = {
        "building": "2号楼",
        "route": "North",
        "starts_at": STARTS,
        "timezone": "Asia/Shanghai",
        "volunteers": ["Li", "Sun"],
    }
    assert render(MISSED_ROUND, params, "en") == (
        "Missed patrol in 2号楼",
        "North, Sun 6 Dec 19:00: Li, Sun did not finish a round.",
    )
    assert render(MISSED_ROUND, params, "zh") == (
        "2号楼 有一班巡逻没完成",
        "North，12月6日 周日 19:00：Li, Sun 没有完成巡逻。",
    )
    empty = {**params, "volunteers": []}
    assert "nobody was on this shift" in render(MISSED_ROUND, empty, "en")[1]
    assert "没有人值班" in render(MISSED_ROUND, empty, "zh")[1]


def test_new_observation_words_in_both_languages() -> None:
    params = {
        "building": "2号楼",
        "checkpoint": "Lobby",
        "volunteer": "Li",
        "kind": "repair",
        "severity": "high",
        "note": "Light out",
    }
    assert render(NEW_OBSERVATION, params, "en") == (
        "Urgent, Lobby: Something to repair",
        "Li noticed: Light out",
    )
    title, body = render(NEW_OBSERVATION, params, "zh")
    assert title.startswith("紧急！Lobby：")
    assert body == "Li 发现：Light out"
    quiet = {**params, "severity": "low", "note": ""}
    assert render(NEW_OBSERVATION, quiet, "en") == (
        "Lobby: Something to repair",
        "Li noticed something on the round.",
    )
