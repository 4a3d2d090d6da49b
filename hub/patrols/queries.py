"""What the patrol pages read, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.community.roles import Role
from hub.community.tables import Membership
from hub.patrols.schedule_times import week_bounds_utc
from hub.patrols.tables import (
    CheckIn,
    CheckInPhoto,
    Checkpoint,
    PatrolRoute,
    Round,
    Schedule,
    Shift,
    ShiftSignup,
)


async def routes(building_id: int) -> list[dict[str, Any]]:
    """Active routes with their active checkpoints in order (two queries)."""
    rows = (
        await PatrolRoute.select()
        .where((PatrolRoute.building == building_id) & PatrolRoute.retired_at.is_null())
        .order_by(PatrolRoute.name)
    )
    by_route: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for checkpoint in (
            await Checkpoint.select()
            .where(
                Checkpoint.route.is_in([row["id"] for row in rows])
                & Checkpoint.retired_at.is_null()
            )
            .order_by(Checkpoint.position)
        ):
            by_route[checkpoint["route"]].append(checkpoint)
    for row in rows:
        row["checkpoints"] = by_route[row["id"]]
    return rows


async def route(building_id: int, route_id: int) -> dict[str, Any] | None:
    """A route with its active checkpoints and active schedules (three queries)."""
    row = (
        await PatrolRoute.select()
        .where(
            (PatrolRoute.id == route_id)
            & (PatrolRoute.building == building_id)
            & PatrolRoute.retired_at.is_null()
        )
        .first()
    )
    if row is None:
        return None
    row["checkpoints"] = (
        await Checkpoint.select()
        .where((Checkpoint.route == route_id) & Checkpoint.retired_at.is_null())
        .order_by(Checkpoint.position)
    )
    row["schedules"] = (
        await Schedule.select()
        .where((Schedule.route == route_id) & Schedule.retired_at.is_null())
        .order_by(Schedule.start_minute)
    )
    return row


async def checkpoint(building_id: int, checkpoint_id: int) -> dict[str, Any] | None:
    return (
        await Checkpoint.select(
            Checkpoint.all_columns(),
            Checkpoint.route.name.as_alias("route_name"),
            Checkpoint.route.building.name.as_alias("building_name"),
        )
        .where((Checkpoint.id == checkpoint_id) & (Checkpoint.route.building == building_id))
        .first()
    )


async def checkpoint_by_token(token: str) -> dict[str, Any] | None:
    """The checkpoint a poster points to, with its route and building."""
    return (
        await Checkpoint.select(
            Checkpoint.id,
            Checkpoint.name,
            Checkpoint.location,
            Checkpoint.retired_at,
            Checkpoint.route.id.as_alias("route_id"),
            Checkpoint.route.name.as_alias("route_name"),
            Checkpoint.route.retired_at.as_alias("route_retired_at"),
            Checkpoint.route.building.id.as_alias("building_id"),
            Checkpoint.route.building.name.as_alias("building_name"),
        )
        .where(Checkpoint.token == token)
        .first()
    )


async def _signups(shift_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    by_shift: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if shift_ids:
        for row in (
            await ShiftSignup.select(
                ShiftSignup.shift,
                ShiftSignup.user,
                ShiftSignup.user.display_name.as_alias("display_name"),
            )
            .where(ShiftSignup.shift.is_in(shift_ids))
            .order_by(ShiftSignup.created_at)
        ):
            by_shift[row["shift"]].append(row)
    return by_shift


async def _shifts(condition: Any, user_id: int | None = None) -> list[dict[str, Any]]:
    """Shifts matching `condition`, each with its volunteers, open places and whether the
    viewer is on it (two queries)."""
    rows = (
        await Shift.select(
            Shift.id,
            Shift.starts_at,
            Shift.ends_at,
            Shift.volunteers,
            Shift.route.id.as_alias("route_id"),
            Shift.route.name.as_alias("route_name"),
        )
        .where(condition & Shift.cancelled_at.is_null() & Shift.route.retired_at.is_null())
        .order_by(Shift.starts_at)
    )
    signups = await _signups([row["id"] for row in rows])
    for row in rows:
        row["people"] = signups[row["id"]]
        row["open"] = max(0, row["volunteers"] - len(row["people"]))
        row["mine"] = any(person["user"] == user_id for person in row["people"])
    return rows


async def week(building_id: int, monday: date, timezone: str, user_id: int) -> list[dict[str, Any]]:
    start, end = week_bounds_utc(monday, timezone)
    return await _shifts(
        (Shift.route.building == building_id)
        & (Shift.starts_at >= start)
        & (Shift.starts_at < end),
        user_id,
    )


async def shift(building_id: int, shift_id: int, user_id: int) -> dict[str, Any] | None:
    rows = await _shifts((Shift.id == shift_id) & (Shift.route.building == building_id), user_id)
    return rows[0] if rows else None


async def my_shifts(building_id: int, user_id: int, *, limit: int = 5) -> list[dict[str, Any]]:
    """The viewer's shifts that have not ended, the next one first."""
    mine = ShiftSignup.select(ShiftSignup.shift).where(ShiftSignup.user == user_id)
    rows = await _shifts(
        (Shift.route.building == building_id)
        & (Shift.ends_at > datetime.now(UTC))
        & Shift.id.is_in(mine),
        user_id,
    )
    return rows[:limit]


async def open_slots(building_id: int, user_id: int, *, days: int = 7) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = await _shifts(
        (Shift.route.building == building_id)
        & (Shift.starts_at > now)
        & (Shift.starts_at < now + timedelta(days=days)),
        user_id,
    )
    return [row for row in rows if row["open"] and not row["mine"]]


async def volunteers(building_id: int) -> list[dict[str, Any]]:
    """Who may take shifts: the building's volunteers and leaders."""
    rows = (
        await Membership.select(
            Membership.user, Membership.role, Membership.user.display_name.as_alias("name")
        )
        .where(
            (Membership.building == building_id)
            & Membership.role.is_in([Role.VOLUNTEER.key, Role.LEADER.key])
        )
        .order_by(Membership.user.display_name)
    )
    return rows


async def running_round(user_id: int, route_id: int) -> dict[str, Any] | None:
    return (
        await Round.select(Round.id)
        .where((Round.user == user_id) & (Round.route == route_id) & Round.finished_at.is_null())
        .first()
    )


async def running_rounds(building_id: int, user_id: int) -> list[dict[str, Any]]:
    return (
        await Round.select(Round.id, Round.started_at, Round.route.name.as_alias("route_name"))
        .where(
            (Round.user == user_id)
            & (Round.route.building == building_id)
            & Round.finished_at.is_null()
        )
        .order_by(Round.started_at)
    )


async def photos_of(check_in_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The photos of these check-ins by check-in id, oldest first (one query, none for none)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if check_in_ids:
        for row in (
            await CheckInPhoto.select(CheckInPhoto.id, CheckInPhoto.check_in, CheckInPhoto.file)
            .where(CheckInPhoto.check_in.is_in(check_in_ids))
            .order_by(CheckInPhoto.id)
        ):
            found[row["check_in"]].append(row)
    return found


async def photo_recorded(file: str) -> bool:
    return await CheckInPhoto.exists().where(CheckInPhoto.file == file)


async def photo_file(building_id: int, photo_id: int) -> dict[str, Any] | None:
    """A check-in photo of this building: its file and whose round it was taken on."""
    return (
        await CheckInPhoto.select(
            CheckInPhoto.file, CheckInPhoto.check_in.round.user.as_alias("volunteer")
        )
        .where(
            (CheckInPhoto.id == photo_id)
            & (CheckInPhoto.check_in.round.route.building == building_id)
        )
        .first()
    )


async def round_page(building_id: int, round_id: int) -> dict[str, Any] | None:
    """A round with its route's checkpoints, each with its check-in and its photos if any
    (four queries)."""
    walk = (
        await Round.select(
            Round.all_columns(),
            Round.route.name.as_alias("route_name"),
            Round.route.in_order.as_alias("in_order"),
            Round.user.display_name.as_alias("volunteer"),
        )
        .where((Round.id == round_id) & (Round.route.building == building_id))
        .first()
    )
    if walk is None:
        return None
    check_ins = await CheckIn.select().where(CheckIn.round == round_id).order_by(CheckIn.id)
    photos = await photos_of([row["id"] for row in check_ins])
    for row in check_ins:
        row["photos"] = photos.get(row["id"], [])
    by_checkpoint = {row["checkpoint"]: row for row in check_ins}
    checkpoints = (
        await Checkpoint.select()
        .where(
            (Checkpoint.route == walk["route"])
            & (Checkpoint.retired_at.is_null() | Checkpoint.id.is_in(list(by_checkpoint) or [0]))
        )
        .order_by(Checkpoint.position)
    )
    next_found = False
    for row in checkpoints:
        row["check_in"] = by_checkpoint.get(row["id"])
        row["is_next"] = not next_found and row["check_in"] is None and row["retired_at"] is None
        next_found = next_found or row["is_next"]
    walk["checkpoints"] = checkpoints
    walk["done"] = sum(
        1 for row in checkpoints if row["check_in"] and not row["check_in"]["skipped"]
    )
    walk["total"] = sum(1 for row in checkpoints if row["retired_at"] is None)
    walk["last_check_in"] = check_ins[-1] if check_ins else None
    return walk
