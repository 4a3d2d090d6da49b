"""The patrol rules, called directly: places on shifts, idempotent check-ins, finishing rounds."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.community.roles import Role
from hub.errors import Refused
from hub.patrols import actions
from hub.patrols.actions import CheckInInput, WeeklyPlan
from hub.patrols.schedule_times import occurrences, week_bounds_utc
from hub.patrols.tables import CheckIn, Checkpoint, Round, Shift, ShiftSignup
from tests.factories import World, add_member, make_person
from tests.patrols.world import make_route, make_shift
from tests.query_count import counting_queries
from tests.web_client import Web


def check_in_input(**kwargs: object) -> CheckInInput:
    return CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None, **kwargs)  # type: ignore[arg-type]


def test_two_volunteers_racing_for_the_last_place_one_gets_it(web: Web, world: World) -> None:
    async def race() -> list[object]:
        patrol = await make_route(world)
        shift_id = await make_shift(world, patrol.route_id, volunteers=1)
        second = await make_person("Volunteer Sun")
        await add_member(second, world.building_id, Role.VOLUNTEER)
        return await asyncio.gather(
            *[
                actions.do_sign_up(user_id, world.building_id, shift_id)
                for user_id in (world.volunteer.id, second.id)
            ],
            return_exceptions=True,
        )

    results = web.run(race)
    assert sum(result is None for result in results) == 1
    assert [type(result) for result in results if result is not None] == [Refused]
    assert web.run(ShiftSignup.count) == 1


def test_many_racing_for_three_places_fill_exactly_three(web: Web, world: World) -> None:
    async def race() -> int:
        patrol = await make_route(world)
        shift_id = await make_shift(world, patrol.route_id, volunteers=3)
        people = [await make_person(f"Volunteer {n}") for n in range(8)]
        for person in people:
            await add_member(person, world.building_id, Role.VOLUNTEER)
        await asyncio.gather(
            *[actions.do_sign_up(p.id, world.building_id, shift_id) for p in people],
            return_exceptions=True,
        )
        return await ShiftSignup.count().where(ShiftSignup.shift == shift_id)

    assert web.run(race) == 3


def test_the_same_check_in_posted_three_times_at_once_is_stored_once(
    web: Web, world: World
) -> None:
    async def replay() -> set[tuple[int, int]]:
        patrol = await make_route(world)
        await actions.do_start_round(
            world.volunteer.id, world.building_id, patrol.route_id, shift_id=None
        )
        data = check_in_input()
        results = await asyncio.gather(
            *[
                actions.do_check_in(
                    world.volunteer.id, world.building_id, patrol.checkpoint_ids[0], data
                )
                for _ in range(3)
            ]
        )
        return set(results)

    assert len(web.run(replay)) == 1
    assert web.run(CheckIn.count) == 1


@pytest.mark.parametrize(
    "problem", ["retired", "foreign", "finished", "no round", "someone else's round"]
)
def test_a_check_in_that_cannot_count_is_refused(web: Web, world: World, problem: str) -> None:
    async def attempt() -> None:
        patrol = await make_route(world)
        round_id = await actions.do_start_round(
            world.volunteer.id, world.building_id, patrol.route_id, shift_id=None
        )
        building = world.building_id
        if problem == "retired":
            await actions.do_retire_checkpoint(world.leader.id, building, patrol.checkpoint_ids[0])
        elif problem == "foreign":
            building = world.other_building_id
        elif problem == "finished":
            await actions.do_finish_round(world.volunteer.id, building, round_id, {})
        elif problem == "someone else's round":
            await Round.delete().where(Round.id == round_id)
            await actions.do_start_round(
                world.leader.id, world.building_id, patrol.route_id, shift_id=None
            )
        else:
            await Round.delete().where(Round.id == round_id)
        await actions.do_check_in(
            world.volunteer.id, building, patrol.checkpoint_ids[0], check_in_input()
        )

    with pytest.raises(Refused):
        web.run(attempt)
    assert web.run(CheckIn.count) == 0


def test_a_route_in_order_needs_a_reason_for_each_skipped_checkpoint(
    web: Web, world: World
) -> None:
    async def walk() -> list[dict]:
        patrol = await make_route(world, in_order=True)
        round_id = await actions.do_start_round(
            world.volunteer.id, world.building_id, patrol.route_id, shift_id=None
        )
        await actions.do_check_in(
            world.volunteer.id, world.building_id, patrol.checkpoint_ids[0], check_in_input()
        )
        with pytest.raises(Refused, match="Stairwell 6F, Bike shed"):
            await actions.do_finish_round(world.volunteer.id, world.building_id, round_id, {})
        await actions.do_finish_round(
            world.volunteer.id,
            world.building_id,
            round_id,
            {patrol.checkpoint_ids[1]: "Door locked", patrol.checkpoint_ids[2]: "Flooded"},
        )
        return await CheckIn.select(CheckIn.skipped, CheckIn.note).order_by(CheckIn.id)

    rows = web.run(walk)
    assert [(row["skipped"], row["note"]) for row in rows] == [
        (False, ""),
        (True, "Door locked"),
        (True, "Flooded"),
    ]


def test_reordering_moves_a_checkpoint_past_retired_ones(web: Web, world: World) -> None:
    async def reorder() -> list[str]:
        patrol = await make_route(world, names=("A", "B", "C"))
        await actions.do_retire_checkpoint(
            world.leader.id, world.building_id, patrol.checkpoint_ids[1]
        )
        await actions.do_move_checkpoint(
            world.leader.id, world.building_id, patrol.checkpoint_ids[2], up=True
        )
        rows = (
            await Checkpoint.select(Checkpoint.name)
            .where(Checkpoint.retired_at.is_null())
            .order_by(Checkpoint.position)
        )
        return [row["name"] for row in rows]

    assert web.run(reorder) == ["C", "A"]


def test_a_shift_crossing_midnight_keeps_its_local_day_and_length() -> None:
    ((start, end),) = occurrences(
        weekdays="5",
        start_minute=23 * 60 + 30,
        duration_minutes=60,
        starts_on=date(2026, 12, 4),
        ends_on=None,
        timezone="Asia/Shanghai",
        from_day=date(2026, 12, 1),
        through_day=date(2026, 12, 7),
    )
    assert start == datetime(2026, 12, 4, 15, 30, tzinfo=UTC)  # Friday 23:30 in Shanghai
    assert end == datetime(2026, 12, 4, 16, 30, tzinfo=UTC)  # Saturday 00:30 in Shanghai


def test_a_week_runs_from_local_monday_midnight() -> None:
    start, end = week_bounds_utc(date(2026, 11, 30), "Asia/Shanghai")
    assert start == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=7)


def test_a_schedule_makes_the_coming_weeks_and_an_edit_moves_only_untaken_shifts(
    web: Web, world: World
) -> None:
    async def plan() -> tuple[int, int, set[int], int, int]:
        patrol = await make_route(world)
        tomorrow = datetime.now(UTC).date() + timedelta(days=1)
        weekly = WeeklyPlan(
            weekdays="1234567",
            start_minute=19 * 60,
            duration_minutes=60,
            volunteers=2,
            starts_on=tomorrow,
            ends_on=None,
        )
        schedule_id = await actions.do_create_schedule(
            world.leader.id, world.building_id, patrol.route_id, weekly
        )
        made = await Shift.count().where(Shift.schedule == schedule_id)
        first = await Shift.select(Shift.id).order_by(Shift.starts_at).first()
        await actions.do_sign_up(world.volunteer.id, world.building_id, first["id"])
        later = dataclasses.replace(weekly, start_minute=20 * 60)
        await actions.do_update_schedule(world.leader.id, world.building_id, schedule_id, later)
        after = await Shift.select(Shift.id, Shift.starts_at).where(Shift.schedule == schedule_id)
        await actions.extend_schedules(world.building_id)
        again = await Shift.count().where(Shift.schedule == schedule_id)
        return made, again, {row["id"] for row in after}, first["id"], len(after)

    made, again, ids, taken_id, after_count = web.run(plan)
    assert made >= 27
    assert taken_id in ids  # the taken shift stayed
    assert again == after_count  # extending again makes nothing twice


def test_the_worker_rolls_schedules_forward_hourly_and_the_patrols_page_writes_nothing(
    web: Web, world: World
) -> None:
    from hub.notifications.sweeps import Sweep, run_sweeps

    async def plan() -> int:
        patrol = await make_route(world)
        weekly = WeeklyPlan(
            weekdays="1234567",
            start_minute=19 * 60,
            duration_minutes=60,
            volunteers=2,
            starts_on=datetime.now(UTC).date() + timedelta(days=1),
            ends_on=None,
        )
        schedule_id = await actions.do_create_schedule(
            world.leader.id, world.building_id, patrol.route_id, weekly
        )
        return await Shift.count().where(Shift.schedule == schedule_id)

    made = web.run(plan)
    horizon = datetime.now(UTC) + timedelta(days=7)
    web.run(Shift.delete().where(Shift.starts_at > horizon).run)  # as if weeks had gone by
    web.sign_in(world.volunteer.login)
    with counting_queries() as seen:
        assert web.get(f"/b/{world.building_id}/patrols").status_code == 200
    assert not [sql for sql in seen if not sql.lstrip().upper().startswith("SELECT")]
    assert web.run(Shift.count) < made

    now = datetime.now(UTC)
    last_runs: dict[Sweep, datetime] = {}
    web.run(run_sweeps, now, last_runs)
    assert web.run(Shift.count) == made
    web.run(Shift.delete().where(Shift.starts_at > horizon).run)
    web.run(run_sweeps, now + timedelta(minutes=30), last_runs)  # within the hour: nothing
    assert web.run(Shift.count) < made
    web.run(run_sweeps, now + timedelta(hours=1), last_runs)
    assert web.run(Shift.count) == made
