"""Patrol test data: a route with checkpoints in building A, made through the actions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.patrols import actions
from hub.patrols.tables import Checkpoint, Shift
from tests.factories import World


@dataclass
class Patrol:
    route_id: int
    checkpoint_ids: list[int]
    tokens: list[str]


async def make_route(
    world: World | None,
    *,
    names: tuple[str, ...] = ("Lobby", "Stairwell 6F", "Bike shed"),
    in_order: bool = False,
    building_id: int | None = None,
    actor: int | None = None,
) -> Patrol:
    """A route and its checkpoints, made by `actor` (building A's leader by default)."""
    building = building_id or (world.building_id if world else 0)
    leader = actor or (world.leader.id if world else 0)
    route_id = await actions.do_create_route(
        leader, building, name="North", in_order=in_order, allow_unscheduled=True
    )
    ids = [
        await actions.do_add_checkpoint(leader, building, route_id, name=name, location="")
        for name in names
    ]
    tokens = [
        row["token"]
        for row in await Checkpoint.select(Checkpoint.token)
        .where(Checkpoint.route == route_id)
        .order_by(Checkpoint.position)
    ]
    return Patrol(route_id=route_id, checkpoint_ids=ids, tokens=tokens)


async def make_shift(
    world: World | None,
    route_id: int,
    *,
    volunteers: int = 1,
    in_hours: float = 2,
    hours: float = 1,
) -> int:
    start = datetime.now(UTC) + timedelta(hours=in_hours)
    rows = await Shift.insert(
        Shift(
            route=route_id,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            volunteers=volunteers,
        )
    ).returning(Shift.id)
    return int(rows[0]["id"])


async def path_values_in(building_id: int, volunteer_id: int) -> dict[str, object]:
    """A value for each patrol path parameter, all in one building: a route with checkpoints, a
    schedule, a shift, and the volunteer's round with one check-in."""
    from datetime import date

    from hub.patrols.actions import CheckInInput, WeeklyPlan
    from hub.patrols.tables import Schedule

    patrol = await make_route(None, building_id=building_id, actor=volunteer_id)
    schedule_id = await actions.do_create_schedule(
        volunteer_id,
        building_id,
        patrol.route_id,
        WeeklyPlan(
            weekdays="1234567",
            start_minute=19 * 60,
            duration_minutes=60,
            volunteers=2,
            starts_on=date.today() + timedelta(days=1),
            ends_on=None,
        ),
    )
    assert await Schedule.exists().where(Schedule.id == schedule_id)
    shift_id = await make_shift(None, patrol.route_id, volunteers=3)  # type: ignore[arg-type]
    round_id = await actions.do_start_round(
        volunteer_id, building_id, patrol.route_id, shift_id=None
    )
    _round, check_in_id = await actions.do_check_in(
        volunteer_id,
        building_id,
        patrol.checkpoint_ids[0],
        CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None),
    )
    from hub.patrols.observations import do_observe
    from hub.patrols.tables import CheckInPhoto
    from tests.media.images import small_jpeg, store_again

    await actions.do_add_photo(volunteer_id, building_id, check_in_id, store_again(small_jpeg()))
    photo = await CheckInPhoto.select(CheckInPhoto.id).where(CheckInPhoto.check_in == check_in_id)

    observation_id = await do_observe(
        volunteer_id, building_id, check_in_id, kind="repair", severity="high", note="Light out"
    )
    return {
        "observation_id": observation_id,
        "route_id": patrol.route_id,
        "checkpoint_id": patrol.checkpoint_ids[1],
        "schedule_id": schedule_id,
        "shift_id": shift_id,
        "round_id": round_id,
        "check_in_id": check_in_id,
        "check_in_photo_id": photo[0]["id"],
        "poster": patrol.tokens[1],
    }
