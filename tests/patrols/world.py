"""Patrol test data: a route with checkpoints in building A, made through the actions."""

from __future__ import annotations

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
    world: World,
    *,
    names: tuple[str, ...] = ("Lobby", "Stairwell 6F", "Bike shed"),
    in_order: bool = False,
    building_id: int | None = None,
) -> Patrol:
    building = building_id or world.building_id
    route_id = await actions.do_create_route(
        building, name="North", in_order=in_order, allow_unscheduled=True
    )
    ids = [
        await actions.do_add_checkpoint(building, route_id, name=name, location="")
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
    world: World,
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
