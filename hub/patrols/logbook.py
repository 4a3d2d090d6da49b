"""What the patrol log book, the missed-and-late flags and the coverage grid read.

Each function runs a fixed number of queries, however many rounds, shifts and check-ins there
are: rows are fetched in a few wide queries and grouped here. Times come back in UTC; days and
hours are worked out in the building's time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.patrols.schedule_times import week_bounds_utc
from hub.patrols.tables import CheckIn, CheckInPhoto, Checkpoint, Round, Shift, ShiftSignup
from hub.web.i18n import N_

# A check-in whose phone time differs from the server's by more than this came through the
# offline queue (or from a phone with a wrong clock): the log book shows both.
DEVICE_TIME_TOLERANCE = timedelta(minutes=2)
UNFILLED_WINDOW = timedelta(hours=24)
BLOCK_HOURS = 3  # the coverage grid groups hours into blocks of three: 8 a day, 56 a week
BLOCKS_PER_DAY = 24 // BLOCK_HOURS
LEVELS = 4  # intensity levels above "never visited"
WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _now() -> datetime:
    return datetime.now(UTC)


# The log book -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Visit:
    """One line under a round: a checkpoint ticked (or skipped) and when."""

    checkpoint: str
    recorded_at: datetime
    device_time: datetime | None  # only when it differs from recorded_at by more than 2 min
    manual: bool
    skipped: bool
    note: str
    photos: list[int] = field(default_factory=list)  # CheckInPhoto ids


@dataclass(slots=True)
class LoggedRound:
    id: int
    user_id: int
    volunteer: str
    route_id: int
    route: str
    started_at: datetime
    finished_at: datetime | None
    shift_id: int | None
    shift_ends_at: datetime | None
    visits: list[Visit] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # not visited nor explained (finished only)

    @property
    def skipped(self) -> list[Visit]:
        return [visit for visit in self.visits if visit.skipped]

    @property
    def late(self) -> bool:
        """Walked for a shift, but only started after the shift was over."""
        return self.shift_ends_at is not None and self.started_at > self.shift_ends_at

    @property
    def incomplete(self) -> bool:
        return self.finished_at is not None and bool(self.missing or self.skipped)

    @property
    def flagged(self) -> bool:
        return self.incomplete or (self.finished_at is not None and self.late)

    @property
    def notes(self) -> list[Visit]:
        return [visit for visit in self.visits if visit.note and not visit.skipped]


@dataclass(slots=True)
class LogDay:
    day: date
    rounds: list[LoggedRound]


def _differs(device_time: datetime | None, recorded_at: datetime) -> datetime | None:
    if device_time is None or abs(device_time - recorded_at) <= DEVICE_TIME_TOLERANCE:
        return None
    return device_time


def _was_active(checkpoint: dict[str, Any], at: datetime) -> bool:
    retired = checkpoint["retired_at"]
    return checkpoint["created_at"] <= at and (retired is None or retired > at)


async def logged_rounds(
    building_id: int, since: datetime, until: datetime, *, user_id: int | None = None
) -> list[LoggedRound]:
    """Rounds started in [since, until), oldest first, with their visits; four queries.

    With `user_id`, only that volunteer's rounds."""
    condition = (
        (Round.route.building == building_id)
        & (Round.started_at >= since)
        & (Round.started_at < until)
    )
    check_in_condition = (
        (CheckIn.round.route.building == building_id)
        & (CheckIn.round.started_at >= since)
        & (CheckIn.round.started_at < until)
    )
    if user_id is not None:
        condition &= Round.user == user_id
        check_in_condition &= CheckIn.round.user == user_id
    round_rows = (
        await Round.select(
            Round.id,
            Round.user,
            Round.user.display_name.as_alias("volunteer"),
            Round.route,
            Round.route.name.as_alias("route_name"),
            Round.started_at,
            Round.finished_at,
            Round.shift,
            Round.shift.ends_at.as_alias("shift_ends_at"),
        )
        .where(condition)
        .order_by(Round.started_at)
        .order_by(Round.id)
    )
    check_in_rows = (
        await CheckIn.select(
            CheckIn.id,
            CheckIn.round,
            CheckIn.checkpoint,
            CheckIn.checkpoint.name.as_alias("checkpoint_name"),
            CheckIn.recorded_at,
            CheckIn.device_time,
            CheckIn.manual,
            CheckIn.skipped,
            CheckIn.note,
        )
        .where(check_in_condition)
        .order_by(CheckIn.recorded_at)
        .order_by(CheckIn.id)
    )
    photo_condition = (
        (CheckInPhoto.check_in.round.route.building == building_id)
        & (CheckInPhoto.check_in.round.started_at >= since)
        & (CheckInPhoto.check_in.round.started_at < until)
    )
    if user_id is not None:
        photo_condition &= CheckInPhoto.check_in.round.user == user_id
    photos: dict[int, list[int]] = {}
    for row in (
        await CheckInPhoto.select(CheckInPhoto.id, CheckInPhoto.check_in)
        .where(photo_condition)
        .order_by(CheckInPhoto.id)
    ):
        photos.setdefault(row["check_in"], []).append(row["id"])
    checkpoints = (
        await Checkpoint.select(
            Checkpoint.id,
            Checkpoint.route,
            Checkpoint.name,
            Checkpoint.created_at,
            Checkpoint.retired_at,
        )
        .where(Checkpoint.route.building == building_id)
        .order_by(Checkpoint.position)
        .order_by(Checkpoint.id)
    )
    rounds = {
        row["id"]: LoggedRound(
            id=row["id"],
            user_id=row["user"],
            volunteer=row["volunteer"] or "",
            route_id=row["route"],
            route=row["route_name"] or "",
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            shift_id=row["shift"],
            shift_ends_at=row["shift_ends_at"],
        )
        for row in round_rows
    }
    seen: dict[int, set[int]] = {round_id: set() for round_id in rounds}
    for row in check_in_rows:
        walk = rounds.get(row["round"])
        if walk is None:
            continue
        seen[walk.id].add(row["checkpoint"])
        walk.visits.append(
            Visit(
                checkpoint=row["checkpoint_name"] or "",
                recorded_at=row["recorded_at"],
                device_time=_differs(row["device_time"], row["recorded_at"]),
                manual=row["manual"],
                skipped=row["skipped"],
                note=row["note"] or "",
                photos=photos.get(row["id"], []),
            )
        )
    by_route: dict[int, list[dict[str, Any]]] = {}
    for checkpoint in checkpoints:
        by_route.setdefault(checkpoint["route"], []).append(checkpoint)
    for walk in rounds.values():
        if walk.finished_at is None:
            continue
        walk.missing = [
            checkpoint["name"]
            for checkpoint in by_route.get(walk.route_id, [])
            if checkpoint["id"] not in seen[walk.id] and _was_active(checkpoint, walk.started_at)
        ]
    return list(rounds.values())


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


async def week_log(
    building_id: int, monday: date, timezone: str, *, user_id: int | None = None
) -> list[LogDay]:
    """The seven local days of the week starting on `monday`, each with its rounds; three
    queries. A round belongs to the local day it started on."""
    since, until = week_bounds_utc(monday, timezone)
    days = [LogDay(day=monday + timedelta(days=n), rounds=[]) for n in range(7)]
    for walk in await logged_rounds(building_id, since, until, user_id=user_id):
        offset = (local_day(walk.started_at, timezone) - monday).days
        if 0 <= offset < 7:
            days[offset].rounds.append(walk)
    return days


# Missed and unfilled shifts ----------------------------------------------------------------------


@dataclass(slots=True)
class ShiftFlag:
    shift_id: int
    route: str
    starts_at: datetime
    ends_at: datetime
    volunteers: list[str]
    places: int


@dataclass(slots=True)
class Flags:
    missed: list[ShiftFlag] = field(default_factory=list)
    unfilled: list[ShiftFlag] = field(default_factory=list)
    incomplete: list[LoggedRound] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.missed) + len(self.unfilled) + len(self.incomplete)


async def shift_flags(
    building_id: int,
    since: datetime,
    until: datetime,
    *,
    now: datetime | None = None,
    unfilled: bool = True,
) -> Flags:
    """Missed shifts (ended in [since, min(until, now)] with no finished round by one of their
    volunteers) and, with `unfilled`, shifts starting in the next 24 h that nobody has taken.
    Three queries."""
    now = now or _now()
    ended_by = min(until, now)
    window = (Shift.ends_at > since) & (Shift.ends_at <= ended_by)
    if unfilled:
        window |= (Shift.starts_at >= now) & (Shift.starts_at < now + UNFILLED_WINDOW)
    shifts = (
        await Shift.select(
            Shift.id,
            Shift.route.name.as_alias("route_name"),
            Shift.starts_at,
            Shift.ends_at,
            Shift.volunteers,
        )
        .where((Shift.route.building == building_id) & Shift.cancelled_at.is_null() & window)
        .order_by(Shift.starts_at)
        .order_by(Shift.id)
    )
    ids = [row["id"] for row in shifts] or [0]
    signups = (
        await ShiftSignup.select(
            ShiftSignup.shift, ShiftSignup.user, ShiftSignup.user.display_name.as_alias("name")
        )
        .where(ShiftSignup.shift.is_in(ids))
        .order_by(ShiftSignup.id)
    )
    finished = await Round.select(Round.shift, Round.user).where(
        Round.shift.is_in(ids) & Round.finished_at.is_not_null()
    )
    on_shift: dict[int, dict[int, str]] = {}
    for row in signups:
        on_shift.setdefault(row["shift"], {})[row["user"]] = row["name"] or ""
    walked = {(row["shift"], row["user"]) for row in finished}
    flags = Flags()
    for row in shifts:
        people = on_shift.get(row["id"], {})
        flag = ShiftFlag(
            shift_id=row["id"],
            route=row["route_name"] or "",
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            volunteers=list(people.values()),
            places=row["volunteers"],
        )
        if row["ends_at"] <= ended_by and row["ends_at"] > since:
            if not any((row["id"], user) in walked for user in people):
                flags.missed.append(flag)
        elif unfilled and not people and row["starts_at"] >= now:
            flags.unfilled.append(flag)
    return flags


async def week_flags(
    building_id: int, monday: date, timezone: str, rounds: list[LoggedRound]
) -> Flags:
    """The log book's flags for a week whose rounds were already read; three queries."""
    since, until = week_bounds_utc(monday, timezone)
    now = _now()
    flags = await shift_flags(building_id, since, until, now=now, unfilled=since <= now < until)
    flags.incomplete = [walk for walk in rounds if walk.flagged]
    return flags


async def recent_flags(building_id: int, *, days: int = 3) -> Flags:
    """What a leader should see first on Today: the last few days' missed shifts and incomplete
    rounds, and tomorrow's empty shifts; six queries."""
    now = _now()
    since = now - timedelta(days=days)
    flags = await shift_flags(building_id, since, now, now=now)
    rounds = await logged_rounds(building_id, since, now)
    flags.incomplete = [walk for walk in rounds if walk.flagged]
    return flags


# Coverage ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class CoverageRow:
    checkpoint_id: int
    name: str
    route: str
    counts: list[int]  # one per block of the week: day * BLOCKS_PER_DAY + hour // BLOCK_HOURS
    levels: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def days(self) -> list[list[tuple[int, int]]]:
        """(count, level) per block, grouped by weekday."""
        pairs = list(zip(self.counts, self.levels, strict=True))
        return [pairs[d * BLOCKS_PER_DAY : (d + 1) * BLOCKS_PER_DAY] for d in range(7)]

    @property
    def empty_days(self) -> list[int]:
        """Weekdays (0 = Monday) on which this checkpoint was never visited."""
        return [
            d
            for d in range(7)
            if not any(self.counts[d * BLOCKS_PER_DAY : (d + 1) * BLOCKS_PER_DAY])
        ]


@dataclass(slots=True)
class Coverage:
    weeks: int
    since: datetime
    until: datetime
    rows: list[CoverageRow]
    highest: int

    @property
    def thin(self) -> list[CoverageRow]:
        """Checkpoints from the least visited up."""
        return sorted(self.rows, key=lambda row: (row.total, row.route, row.name))

    @property
    def legend(self) -> list[tuple[int, int, int]]:
        """(level, lowest count, highest count) of each level above 0."""
        if self.highest == 0:
            return []
        bands = []
        for level in range(1, LEVELS + 1):
            counts = [c for c in range(1, self.highest + 1) if level_of(c, self.highest) == level]
            if counts:
                bands.append((level, counts[0], counts[-1]))
        return bands


def level_of(count: int, highest: int) -> int:
    if count <= 0 or highest <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(LEVELS * count / highest)))


def block_of(moment: datetime, timezone: str) -> int:
    local = moment.astimezone(ZoneInfo(timezone))
    return local.weekday() * BLOCKS_PER_DAY + local.hour // BLOCK_HOURS


async def coverage(
    building_id: int, weeks: int, timezone: str, *, now: datetime | None = None
) -> Coverage:
    """How often each active checkpoint was visited in each 3-hour block of the week over the
    last `weeks` weeks (skipped ones do not count); two queries."""
    until = now or _now()
    since = until - timedelta(weeks=weeks)
    checkpoints = (
        await Checkpoint.select(
            Checkpoint.id, Checkpoint.name, Checkpoint.route.name.as_alias("route_name")
        )
        .where(
            (Checkpoint.route.building == building_id)
            & Checkpoint.retired_at.is_null()
            & Checkpoint.route.retired_at.is_null()
        )
        .order_by(Checkpoint.route.name)
        .order_by(Checkpoint.route)
        .order_by(Checkpoint.position)
        .order_by(Checkpoint.id)
    )
    visits = await CheckIn.select(CheckIn.checkpoint, CheckIn.recorded_at).where(
        (CheckIn.checkpoint.route.building == building_id)
        & (CheckIn.skipped.eq(False))
        & (CheckIn.recorded_at >= since)
        & (CheckIn.recorded_at < until)
    )
    rows = {
        row["id"]: CoverageRow(
            checkpoint_id=row["id"],
            name=row["name"],
            route=row["route_name"] or "",
            counts=[0] * (7 * BLOCKS_PER_DAY),
        )
        for row in checkpoints
    }
    for visit in visits:
        row = rows.get(visit["checkpoint"])
        if row is not None:
            row.counts[block_of(visit["recorded_at"], timezone)] += 1
    highest = max((count for row in rows.values() for count in row.counts), default=0)
    for row in rows.values():
        row.levels = [level_of(count, highest) for count in row.counts]
    return Coverage(
        weeks=weeks, since=since, until=until, rows=list(rows.values()), highest=highest
    )
