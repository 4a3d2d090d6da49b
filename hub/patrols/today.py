"""What patrols add to the Today page, first on it: the round the viewer is walking; for
leaders, the missed rounds and what volunteers noticed; then the next shift (with the "Start
round" button when it is about to start), open places tonight and later shifts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hub import clock
from hub.area import Section
from hub.community.viewer import Place, Viewer
from hub.patrols.logbook import recent_flags
from hub.patrols.observations import KINDS, SEVERITIES, open_observations
from hub.patrols.queries import (
    SHIFTS_OF_VOLUNTEER_NOT_ENDED,
    SHIFTS_STARTING_BETWEEN,
    ShiftView,
    running_rounds,
    shifts_with_volunteers,
    walked_rounds,
)
from hub.patrols.schedule_times import LATE_START_WINDOW

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
    late: bool = False  # over, but still to be walked (late) within LATE_START_WINDOW
    walked: dict[str, Any] | None = None  # the viewer's finished round of it

    @property
    def open_places(self) -> int:
        return max(0, self.places - len(self.people))


async def today_shifts(
    building_id: int, user_id: int, *, now: datetime | None = None
) -> tuple[list[TodayShift], list[TodayShift]]:
    """(my coming or running shifts, next first, and those that ended within
    LATE_START_WINDOW without my round, which I may still walk late; shifts of the next 12 h
    with open places I am not on). Three queries."""
    now = now or clock.now()
    mine_rows = await shifts_with_volunteers(
        SHIFTS_OF_VOLUNTEER_NOT_ENDED, [building_id, now - LATE_START_WINDOW, user_id], user_id
    )
    coming_rows = await shifts_with_volunteers(
        SHIFTS_STARTING_BETWEEN, [building_id, now, now + OPEN_PLACES_WINDOW], user_id
    )

    def shift(row: ShiftView) -> TodayShift:
        return TodayShift(
            id=row.id,
            route_id=row.route_id,
            route=row.route_name,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            places=row.volunteers,
            people=[person.display_name for person in row.people],
            others=[person.display_name for person in row.people if person.user != user_id],
        )

    mine = [shift(row) for row in mine_rows]
    walked = await walked_rounds(user_id, [item.id for item in mine])
    for item in mine:
        item.walked = walked.get(item.id)
        item.late = item.ends_at <= now
        item.can_start = item.walked is None and (
            item.starts_at - START_EARLY <= now < item.ends_at + LATE_START_WINDOW
        )
    mine = [item for item in mine if not (item.late and item.walked)][:MY_SHIFTS_SHOWN]
    open_places = [shift(row) for row in coming_rows if not row.mine and row.open]
    return mine, open_places


async def running_round_section(viewer: Viewer, place: Place) -> Section | None:
    """The round the viewer is walking, first of all: one tap back to it."""
    if viewer.user_id is None or not place.can("patrols.walk"):
        return None
    running = await running_rounds(place.building_id, viewer.user_id)
    if not running:
        return None
    return Section("patrols/_today_round.html", {"place": place, "rounds": running})


async def my_shifts_section(viewer: Viewer, place: Place) -> Section | None:
    if viewer.user_id is None or not place.can("patrols.walk"):
        return None
    mine, open_places = await today_shifts(place.building_id, viewer.user_id)
    return Section(
        "patrols/_today_shifts.html",
        {"place": place, "mine": mine, "open_places": open_places},
    )


async def attention_section(viewer: Viewer, place: Place) -> Section | None:
    """Leaders first see what went wrong: missed rounds, empty shifts, incomplete rounds."""
    if not place.can("patrols.review"):
        return None
    flags = await recent_flags(place.building_id)
    if not flags.count:
        return None
    return Section(
        "patrols/_today_attention.html",
        {"place": place, "flags": flags, "shown": FLAGS_SHOWN},
    )


async def observations_section(viewer: Viewer, place: Place) -> Section | None:
    """For leaders: what volunteers noticed on their rounds, each one tap from a repair task."""
    if not place.can("patrols.review"):
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
