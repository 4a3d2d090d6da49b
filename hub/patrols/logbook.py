"""What the patrol log book, the missed-and-late flags and the coverage grid read.

Each function runs a fixed number of queries, however many rounds, shifts and check-ins there
are: rows are fetched in a few wide queries and grouped here. Times come back in UTC; days and
hours are worked out in the building's time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub import clock
from hub.db.raw import in_list
from hub.i18n import N_
from hub.patrols.queries import ShiftView
from hub.patrols.schedule_times import MAX_DURATION_MINUTES, week_bounds_utc
from hub.patrols.tables import (
    CheckIn,
    Checkpoint,
    Round,
    Shift,
)

# A check-in whose phone time differs from the server's by more than this came through the
# offline queue (or from a phone with a wrong clock): the log book shows both.
DEVICE_TIME_TOLERANCE = timedelta(minutes=2)
UNFILLED_WINDOW = timedelta(hours=24)
LONGEST_SHIFT = timedelta(minutes=MAX_DURATION_MINUTES)
BLOCK_HOURS = 3  # the coverage grid groups hours into blocks of three: 8 a day, 56 a week
BLOCKS_PER_DAY = 24 // BLOCK_HOURS
LEVELS = 4  # intensity levels above "never visited"
WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


# The log book -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Seen:
    """Something the volunteer noticed at a checkpoint (an observation)."""

    kind: str
    severity: str
    note: str


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
    phone_time: datetime | None = None  # the phone's own time of the check-in, as it sent it
    seen: list[Seen] = field(default_factory=list)


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

    @property
    def observed(self) -> list[Visit]:
        return [visit for visit in self.visits if visit.seen]


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


# The log book and the leaders' Today read a week or a few days of rounds: written out, as
# composing these joins through the ORM cost several times the queries. `{rounds}` is the
# condition on the rounds (r) of the building's routes (ro), with its values passed apart.
_ROUNDS_WITH_VISITS_SQL = """
SELECT r.id, r."user", u.display_name AS volunteer, r.route, ro.name AS route_name,
       r.started_at, r.finished_at, r.shift, s.ends_at AS shift_ends_at,
       c.id AS check_in, c.checkpoint, cp.name AS checkpoint_name, c.recorded_at,
       c.device_time, c.manual, c.skipped, c.note
FROM hub_round r
JOIN hub_patrol_route ro ON ro.id = r.route
LEFT JOIN hub_user u ON u.id = r."user"
LEFT JOIN hub_shift s ON s.id = r.shift
LEFT JOIN hub_check_in c ON c.round = r.id
LEFT JOIN hub_checkpoint cp ON cp.id = c.checkpoint
WHERE {rounds}
ORDER BY r.started_at, r.id, c.recorded_at, c.id
"""
# The photos and the observations of those rounds' check-ins, in one statement.
_DETAILS_SQL = """
SELECT 'photo' AS what, p.check_in, p.id, '' AS kind, '' AS severity, '' AS note
FROM hub_check_in_photo p
JOIN hub_check_in c ON c.id = p.check_in
JOIN hub_round r ON r.id = c.round
JOIN hub_patrol_route ro ON ro.id = r.route
WHERE {rounds}
UNION ALL
SELECT 'seen' AS what, o.check_in, o.id, o.kind, o.severity, o.note
FROM hub_observation o
JOIN hub_check_in c ON c.id = o.check_in
JOIN hub_round r ON r.id = c.round
JOIN hub_patrol_route ro ON ro.id = r.route
WHERE {rounds}
ORDER BY 1, 3
"""
_CHECKPOINTS_SQL = """
SELECT cp.id, cp.route, cp.name, cp.created_at, cp.retired_at
FROM hub_checkpoint cp
JOIN hub_patrol_route ro ON ro.id = cp.route
WHERE ro.building = {}
ORDER BY cp.position, cp.id
"""
_ROUNDS_OF_BUILDING = "ro.building = {} AND r.started_at >= {} AND r.started_at < {}"
# What LoggedRound.flagged says, in SQL: finished, and a checkpoint skipped, or one active when
# the round started never visited, or started after its shift had ended.
_FLAGGED = """ AND r.finished_at IS NOT NULL AND (
  EXISTS (SELECT 1 FROM hub_check_in k WHERE k.round = r.id AND k.skipped)
  OR EXISTS (SELECT 1 FROM hub_shift sh WHERE sh.id = r.shift AND r.started_at > sh.ends_at)
  OR EXISTS (
    SELECT 1 FROM hub_checkpoint q
    WHERE q.route = r.route AND q.created_at <= r.started_at
      AND (q.retired_at IS NULL OR q.retired_at > r.started_at)
      AND NOT EXISTS (SELECT 1 FROM hub_check_in v WHERE v.round = r.id AND v.checkpoint = q.id)
  )
)"""


async def logged_rounds(
    building_id: int,
    since: datetime,
    until: datetime,
    *,
    user_id: int | None = None,
    details: bool = True,
    flagged: bool = False,
) -> list[LoggedRound]:
    """Rounds started in [since, until), oldest first, with their visits and, with `details`,
    the photos and what was seen at each; three queries (two without details), whatever the
    length of the building's history.

    With `user_id`, only that volunteer's rounds; with `flagged`, only the flagged ones (chosen
    by the database, so that Today does not build every round of the last days to find them)."""
    condition, values = _ROUNDS_OF_BUILDING, [building_id, since, until]
    if user_id is not None:
        condition, values = condition + ' AND r."user" = {}', [*values, user_id]
    if flagged:
        condition += _FLAGGED
    rows = await Round.raw(_ROUNDS_WITH_VISITS_SQL.replace("{rounds}", condition), *values)
    photos: dict[int, list[int]] = {}
    seen_at: dict[int, list[Seen]] = {}
    if details:
        for row in await Round.raw(_DETAILS_SQL.replace("{rounds}", condition), *values, *values):
            if row["what"] == "photo":
                photos.setdefault(row["check_in"], []).append(row["id"])
            else:
                seen_at.setdefault(row["check_in"], []).append(
                    Seen(kind=row["kind"], severity=row["severity"], note=row["note"] or "")
                )
    checkpoints = await Checkpoint.raw(_CHECKPOINTS_SQL, building_id)
    rounds: dict[int, LoggedRound] = {}
    seen: dict[int, set[int]] = {}
    for row in rows:
        walk = rounds.get(row["id"])
        if walk is None:
            walk = rounds[row["id"]] = LoggedRound(
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
            seen[walk.id] = set()
        if row["check_in"] is None:
            continue
        seen[walk.id].add(row["checkpoint"])
        walk.visits.append(
            Visit(
                checkpoint=row["checkpoint_name"] or "",
                recorded_at=row["recorded_at"],
                device_time=_differs(row["device_time"], row["recorded_at"]),
                manual=bool(row["manual"]),
                skipped=bool(row["skipped"]),
                note=row["note"] or "",
                photos=photos.get(row["check_in"], []),
                phone_time=row["device_time"],
                seen=seen_at.get(row["check_in"], []),
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
    """The seven local days of the week starting on `monday`, each with its rounds; five
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


# The shifts a flag may concern, each with its volunteers and whether each walked it, in one
# statement. `{window}` says which shifts, with its values passed apart.
_FLAG_SHIFTS_SQL = """
SELECT s.id, ro.name AS route_name, s.starts_at, s.ends_at, s.volunteers,
       su."user" AS signup_user, u.display_name,
       EXISTS (
         SELECT 1 FROM hub_round w
         WHERE w.shift = s.id AND w."user" = su."user" AND w.finished_at IS NOT NULL
       ) AS walked
FROM hub_shift s
JOIN hub_patrol_route ro ON ro.id = s.route
LEFT JOIN hub_shift_signup su ON su.shift = s.id
LEFT JOIN hub_user u ON u.id = su."user"
WHERE ro.building = {} AND s.cancelled_at IS NULL AND s.starts_at > {} AND s.starts_at < {}
  AND {window}
ORDER BY s.starts_at, s.id, su.id
"""
_ENDED_BETWEEN = "(s.ends_at > {} AND s.ends_at <= {})"
_STARTING_BETWEEN = "(s.starts_at >= {} AND s.starts_at < {})"


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
    One query."""
    now = now or clock.now()
    ended_by = min(until, now)
    window, values = _ENDED_BETWEEN, [since, ended_by]
    if unfilled:
        window = f"({window} OR {_STARTING_BETWEEN})"
        values += [now, now + UNFILLED_WINDOW]
    # The same window as a range of start times, which the index on starts_at can read.
    first, last = since - LONGEST_SHIFT, max(ended_by, now + UNFILLED_WINDOW)
    rows = await Shift.raw(
        _FLAG_SHIFTS_SQL.replace("{window}", window), building_id, first, last, *values
    )
    shifts: dict[int, ShiftFlag] = {}
    people: dict[int, set[int]] = {}
    walked: set[tuple[int, int]] = set()
    for row in rows:
        flag = shifts.get(row["id"])
        if flag is None:
            flag = shifts[row["id"]] = ShiftFlag(
                shift_id=row["id"],
                route=row["route_name"] or "",
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                volunteers=[],
                places=row["volunteers"],
            )
            people[flag.shift_id] = set()
        if row["signup_user"] is None:
            continue
        flag.volunteers.append(row["display_name"] or "")
        people[flag.shift_id].add(row["signup_user"])
        if row["walked"]:
            walked.add((flag.shift_id, row["signup_user"]))
    flags = Flags()
    for flag in shifts.values():
        kind = _flag_of(
            flag.shift_id,
            flag.starts_at,
            flag.ends_at,
            people[flag.shift_id],
            walked,
            since,
            ended_by,
            now,
        )
        if kind == "missed":
            flags.missed.append(flag)
        elif kind == "unfilled" and unfilled:
            flags.unfilled.append(flag)
    return flags


_WALKED_SQL = """
SELECT shift, "user" FROM hub_round WHERE finished_at IS NOT NULL AND shift IN ({ids})
"""


async def _walked(shift_ids: list[int]) -> set[tuple[int, int]]:
    """(shift, volunteer) of every finished round of these shifts (one query, even for none, so
    a page's count of queries does not depend on its data; written out, as the ORM's IN list of
    a week's shifts cost more than the query)."""
    ids = shift_ids or [0]
    rows = await Round.raw(_WALKED_SQL.replace("{ids}", in_list(ids)), *ids)
    return {(row["shift"], row["user"]) for row in rows}


def _flag_of(
    shift_id: int,
    starts_at: datetime,
    ends_at: datetime,
    people: set[int],
    walked: set[tuple[int, int]],
    since: datetime,
    ended_by: datetime,
    now: datetime,
) -> str:
    """ "missed" (ended in (since, ended_by] with no finished round by one of its volunteers),
    "unfilled" (starts within a day and nobody has taken it) or ""."""
    if since < ends_at <= ended_by:
        return "" if any((shift_id, user) in walked for user in people) else "missed"
    if not people and now <= starts_at < now + UNFILLED_WINDOW:
        return "unfilled"
    return ""


async def flag_shifts(shifts: list[ShiftView], since: datetime) -> None:
    """Set `flag` on shifts already read with their volunteers (the week page's, which start
    on or after `since`): one query. A shift is missed once it has ended, even when it ends
    after the week it starts in (a night patrol from Sunday to Monday)."""
    now = clock.now()
    walked = await _walked([s.id for s in shifts if since < s.ends_at <= now])
    for shift in shifts:
        people = {person.user for person in shift.people}
        shift.flag = _flag_of(
            shift.id, shift.starts_at, shift.ends_at, people, walked, since, now, now
        )


async def week_flags(
    building_id: int, monday: date, timezone: str, rounds: list[LoggedRound]
) -> Flags:
    """The log book's flags for a week whose rounds were already read; one query."""
    since, until = week_bounds_utc(monday, timezone)
    now = clock.now()
    flags = await shift_flags(building_id, since, until, now=now, unfilled=since <= now < until)
    flags.incomplete = [walk for walk in rounds if walk.flagged]
    return flags


async def recent_flags(building_id: int, *, days: int = 3) -> Flags:
    """What a leader should see first on Today: the last few days' missed shifts and incomplete
    rounds, and tomorrow's empty shifts; eight queries."""
    now = clock.now()
    since = now - timedelta(days=days)
    flags = await shift_flags(building_id, since, now, now=now)
    # The database picks exactly the rounds LoggedRound.flagged would (tests/patrols/test_logbook).
    flags.incomplete = await logged_rounds(building_id, since, now, details=False, flagged=True)
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
    until = now or clock.now()
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
