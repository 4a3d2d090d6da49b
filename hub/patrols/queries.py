"""What the patrol pages read, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hub import clock
from hub.community.roles import roles_granting
from hub.community.tables import Membership
from hub.patrols.schedule_times import LATE_START_WINDOW, first_overlap, week_bounds_utc
from hub.patrols.tables import (
    CheckIn,
    CheckInPhoto,
    Checkpoint,
    PatrolRoute,
    Round,
    Schedule,
    Shift,
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


# Every check-in from a poster starts here: written out, as composing the joins through the ORM
# (each step through a foreign key copies its columns) cost more than the query.
_POSTER_CHECKPOINT_SQL = """
SELECT c.id, c.name, c.location, c.retired_at,
       r.id AS route_id, r.name AS route_name, r.retired_at AS route_retired_at,
       b.id AS building_id, b.name AS building_name
FROM hub_checkpoint c
JOIN hub_patrol_route r ON r.id = c.route
JOIN hub_building b ON b.id = r.building
WHERE c.token = {}
"""


async def checkpoint_by_token(token: str) -> dict[str, Any] | None:
    """The checkpoint a poster points to, with its route and building."""
    rows = await Checkpoint.raw(_POSTER_CHECKPOINT_SQL, token)
    return rows[0] if rows else None


# The shifts of a page with their volunteers, in one statement written out: the pages that show
# shifts are the busiest, and composing the joins through the ORM cost several times the query.
# One row per sign-up (or one with no volunteer), in the shift's order then the sign-up's; the
# WHERE clause is one of the fixed fragments below, with the values passed separately.
_SHIFTS_SQL = """
SELECT s.id, s.starts_at, s.ends_at, s.volunteers, r.id AS route_id, r.name AS route_name,
       su."user" AS signup_user, u.display_name
FROM hub_shift s
JOIN hub_patrol_route r ON r.id = s.route
LEFT JOIN hub_shift_signup su ON su.shift = s.id
LEFT JOIN hub_user u ON u.id = su."user"
WHERE s.cancelled_at IS NULL AND r.retired_at IS NULL AND {where}
ORDER BY s.starts_at, s.id, su.created_at, su.id
"""
SHIFTS_IN_WEEK = "r.building = {} AND s.starts_at >= {} AND s.starts_at < {}"
ONE_SHIFT = "r.building = {} AND s.id = {}"
SHIFTS_OF_VOLUNTEER_NOT_ENDED = """r.building = {} AND s.ends_at > {}
AND s.id IN (SELECT shift FROM hub_shift_signup WHERE "user" = {})"""
SHIFTS_STARTING_BETWEEN = "r.building = {} AND s.starts_at > {} AND s.starts_at < {}"
SHIFTS_NOT_ENDED_STARTING_BEFORE = "r.building = {} AND s.ends_at > {} AND s.starts_at < {}"


@dataclass(slots=True)
class OnShift:
    """A volunteer signed up for a shift."""

    user: int
    display_name: str


@dataclass(slots=True)
class ShiftView:
    """A shift as the pages show it. A class with slots rather than a dict: templates read a
    week of these, and Jinja reads an attribute of an object several times faster than a key."""

    id: int
    starts_at: datetime
    ends_at: datetime
    volunteers: int
    route_id: int
    route_name: str
    people: list[OnShift] = field(default_factory=list)
    open: int = 0  # places nobody has taken
    mine: bool = False  # the viewer is on it
    flag: str = ""  # "missed" or "unfilled", where a page asks (logbook.flag_shifts)
    late: bool = False  # over, but still to be walked (my_shifts with late=True)
    walked: dict[str, Any] | None = None  # the viewer's finished round of it (likewise)


async def shifts_with_volunteers(
    where: str, values: list[Any], user_id: int | None
) -> list[ShiftView]:
    """Shifts matching `where` (one of the fragments above), each with its volunteers, open
    places and whether the viewer is on it (one query)."""
    rows = await Shift.raw(_SHIFTS_SQL.replace("{where}", where), *values)
    shifts: dict[int, ShiftView] = {}
    for row in rows:
        shift = shifts.get(row["id"])
        if shift is None:
            shift = shifts[row["id"]] = ShiftView(
                id=row["id"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                volunteers=row["volunteers"],
                route_id=row["route_id"],
                route_name=row["route_name"] or "",
            )
        if row["signup_user"] is not None:
            shift.people.append(OnShift(row["signup_user"], row["display_name"] or ""))
    for shift in shifts.values():
        shift.open = max(0, shift.volunteers - len(shift.people))
        shift.mine = any(person.user == user_id for person in shift.people)
    return list(shifts.values())


async def week(building_id: int, monday: date, timezone: str, user_id: int) -> list[ShiftView]:
    start, end = week_bounds_utc(monday, timezone)
    return await shifts_with_volunteers(SHIFTS_IN_WEEK, [building_id, start, end], user_id)


async def shift(building_id: int, shift_id: int, user_id: int) -> ShiftView | None:
    rows = await shifts_with_volunteers(ONE_SHIFT, [building_id, shift_id], user_id)
    return rows[0] if rows else None


async def my_shifts(
    building_id: int, user_id: int, *, limit: int = 5, late: bool = False
) -> list[ShiftView]:
    """The viewer's shifts that have not ended, the next one first (one query). With `late`,
    also those that ended within LATE_START_WINDOW and were not walked, which may still be
    (late); each shift then says whether it is over (`late`) and the viewer's finished round
    of it, if any (`walked`, one more query)."""
    now = clock.now()
    rows = await shifts_with_volunteers(
        SHIFTS_OF_VOLUNTEER_NOT_ENDED,
        [building_id, now - LATE_START_WINDOW if late else now, user_id],
        user_id,
    )
    if late:
        walked = await walked_rounds(user_id, [row.id for row in rows])
        for row in rows:
            row.late = row.ends_at <= now
            row.walked = walked.get(row.id)
        rows = [row for row in rows if not (row.late and row.walked)]
    return rows[:limit]


async def clash(building_id: int, shift: ShiftView, user_id: int) -> ShiftView | None:
    """Another of the user's coming shifts overlapping this one, to warn about (one query)."""
    return first_overlap(shift, await my_shifts(building_id, user_id, limit=50))


async def walked_rounds(user_id: int, shift_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The user's finished round of each of these shifts, by shift (one query)."""
    rows = (
        await Round.select(Round.id, Round.shift, Round.finished_at)
        .where(
            (Round.user == user_id)
            & Round.shift.is_in(shift_ids or [0])
            & Round.finished_at.is_not_null()
        )
        .order_by(Round.finished_at)
    )
    return {row["shift"]: row for row in rows}


async def coming_shifts(building_id: int, user_id: int, *, days: int = 7) -> list[ShiftView]:
    """The shifts running now or starting in the coming days (one query)."""
    now = clock.now()
    return await shifts_with_volunteers(
        SHIFTS_NOT_ENDED_STARTING_BEFORE, [building_id, now, now + timedelta(days=days)], user_id
    )


async def volunteers(building_id: int) -> list[dict[str, Any]]:
    """Who may take shifts: the building's volunteers and leaders."""
    rows = (
        await Membership.select(
            Membership.user, Membership.role, Membership.user.display_name.as_alias("name")
        )
        .where(
            (Membership.building == building_id)
            & Membership.role.is_in(roles_granting("patrols.walk"))
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


_RUNNING_ROUNDS_SQL = """
SELECT ro.id, ro.started_at, r.name AS route_name
FROM hub_round ro
JOIN hub_patrol_route r ON r.id = ro.route
WHERE ro."user" = {} AND r.building = {} AND ro.finished_at IS NULL
ORDER BY ro.started_at
"""


async def running_rounds(building_id: int, user_id: int) -> list[dict[str, Any]]:
    """The viewer's rounds not yet finished (written out: it is on every Today page)."""
    return await Round.raw(_RUNNING_ROUNDS_SQL, user_id, building_id)


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
            Round.shift.ends_at.as_alias("shift_ends_at"),
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
    ends = walk["shift_ends_at"]
    walk["late"] = ends is not None and walk["started_at"] > ends
    return walk
