"""What patrols add to the Today page: a volunteer's shifts (with the "Start round" button when
one is about to start), open places tonight, and for leaders what needs attention first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hub.community.roles import Role
from hub.community.viewer import Place, Viewer
from hub.patrols.logbook import recent_flags
from hub.patrols.observations import KINDS, SEVERITIES, open_observations
from hub.patrols.tables import Shift, ShiftSignup
from hub.web.today import Section, today_section

START_EARLY = timedelta(minutes=60)  # "Start round" shows from an hour before the shift
OPEN_PLACES_WINDOW = timedelta(hours=12)
MY_SHIFTS_SHOWN = 5
FLAGS_SHOWN = 5


@dataclass(slots=True)
class TodayShift:
    id: int
    route_id: int
    route: str
    starts_at: datetime
    ends_at: datetime
    places: int
    people: list[str] = field(default_factory=list)  # everyone on it, the viewer included
    others: list[str] = field(default_factory=list)  # everyone but the viewer
    can_start: bool = False

    @property
    def open_places(self) -> int:
        return max(0, self.places - len(self.people))


async def today_shifts(
    building_id: int, user_id: int, *, now: datetime | None = None
) -> tuple[list[TodayShift], list[TodayShift]]:
    """(my coming or running shifts, next first; shifts of the next 12 h with open places I am
    not on). Three queries."""
    now = now or datetime.now(UTC)
    mine_rows = (
        await ShiftSignup.select(
            ShiftSignup.shift.id.as_alias("id"),
            ShiftSignup.shift.route.as_alias("route_id"),
            ShiftSignup.shift.route.name.as_alias("route_name"),
            ShiftSignup.shift.starts_at.as_alias("starts_at"),
            ShiftSignup.shift.ends_at.as_alias("ends_at"),
            ShiftSignup.shift.volunteers.as_alias("places"),
        )
        .where(
            (ShiftSignup.user == user_id)
            & (ShiftSignup.shift.route.building == building_id)
            & ShiftSignup.shift.cancelled_at.is_null()
            & ShiftSignup.shift.route.retired_at.is_null()
            & (ShiftSignup.shift.ends_at > now)
        )
        .order_by(ShiftSignup.shift.starts_at)
        .limit(MY_SHIFTS_SHOWN)
    )
    open_rows = (
        await Shift.select(
            Shift.id,
            Shift.route.as_alias("route_id"),
            Shift.route.name.as_alias("route_name"),
            Shift.starts_at,
            Shift.ends_at,
            Shift.volunteers.as_alias("places"),
        )
        .where(
            (Shift.route.building == building_id)
            & Shift.cancelled_at.is_null()
            & Shift.route.retired_at.is_null()
            & (Shift.starts_at >= now)
            & (Shift.starts_at < now + OPEN_PLACES_WINDOW)
        )
        .order_by(Shift.starts_at)
    )

    def shift(row: dict) -> TodayShift:  # type: ignore[type-arg]
        return TodayShift(
            id=row["id"],
            route_id=row["route_id"],
            route=row["route_name"] or "",
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            places=row["places"],
        )

    mine = [shift(row) for row in mine_rows]
    coming = [shift(row) for row in open_rows]
    ids = sorted({s.id for s in mine} | {s.id for s in coming}) or [0]
    people = (
        await ShiftSignup.select(
            ShiftSignup.shift, ShiftSignup.user, ShiftSignup.user.display_name.as_alias("name")
        )
        .where(ShiftSignup.shift.is_in(ids))
        .order_by(ShiftSignup.id)
    )
    taken_by_me: set[int] = set()
    for item in mine + coming:
        for row in people:
            if row["shift"] != item.id:
                continue
            item.people.append(row["name"] or "")
            if row["user"] == user_id:
                taken_by_me.add(item.id)
            else:
                item.others.append(row["name"] or "")
    for item in mine:
        item.can_start = item.starts_at - START_EARLY <= now < item.ends_at
    open_places = [item for item in coming if item.id not in taken_by_me and item.open_places]
    return mine, open_places


@today_section(20)
async def my_shifts_section(viewer: Viewer, place: Place) -> Section | None:
    if viewer.user_id is None or place.role < Role.VOLUNTEER:
        return None
    mine, open_places = await today_shifts(place.building_id, viewer.user_id)
    return Section(
        "patrols/_today_shifts.html",
        {"place": place, "mine": mine, "open_places": open_places},
    )


@today_section(12)
async def attention_section(viewer: Viewer, place: Place) -> Section | None:
    """Leaders first see what went wrong: missed rounds, empty shifts, incomplete rounds."""
    if place.role is not Role.LEADER:
        return None
    flags = await recent_flags(place.building_id)
    if not flags.count:
        return None
    return Section(
        "patrols/_today_attention.html",
        {"place": place, "flags": flags, "shown": FLAGS_SHOWN},
    )


@today_section(13)
async def observations_section(viewer: Viewer, place: Place) -> Section | None:
    """For leaders: what volunteers noticed on their rounds, each one tap from a repair task."""
    if place.role is not Role.LEADER:
        return None
    found = await open_observations(place.building_id)
    if not found:
        return None
    return Section(
        "patrols/_today_observations.html",
        {
            "building_id": place.building_id,
            "observations": found,
            "kinds": KINDS,
            "severities": SEVERITIES,
            "timezone": place.timezone,
        },
    )
