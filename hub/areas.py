"""The areas of Hub, in one list: the one place a new area is added (see the README).

The web app takes their routers; install() gives the worker and the pages what the areas declare
(notification kinds with their words, sweeps, the columns holding photos). Today sections and
calendar sources are read from the list where they are used.
"""

from __future__ import annotations

from functools import cache

from hub.accounts.area import AREA as ACCOUNTS
from hub.area import Area, CalendarSource, Permission, TodaySection
from hub.community.area import AREA as COMMUNITY
from hub.events.area import AREA as EVENTS
from hub.media.area import AREA as MEDIA
from hub.media.orphans import install_photo_columns
from hub.notifications.area import AREA as NOTIFICATIONS
from hub.notifications.kinds import install_kinds
from hub.notifications.sweeps import install_sweeps
from hub.patrols.area import AREA as PATROLS
from hub.tasks.area import AREA as TASKS

AREAS: tuple[Area, ...] = (ACCOUNTS, COMMUNITY, PATROLS, TASKS, EVENTS, NOTIFICATIONS, MEDIA)


def install(areas: tuple[Area, ...] = AREAS) -> None:
    """Hand what the areas declare to the parts that use it; the app, `hub worker` and the tests
    call this once (calling it again changes nothing)."""
    install_kinds([(key, spec) for area in areas for key, spec in area.kinds.items()])
    install_sweeps(periodic for area in areas for periodic in area.sweeps)
    install_photo_columns(column for area in areas for column in area.photo_columns())


@cache
def today_sections() -> tuple[TodaySection, ...]:
    return tuple(sorted((s for area in AREAS for s in area.today), key=lambda s: s.order))


def permissions() -> dict[str, Permission]:
    """Every permission the areas declare, by name."""
    return {permission.name: permission for area in AREAS for permission in area.permissions}


def calendar_sources() -> tuple[CalendarSource, ...]:
    return tuple(source for area in AREAS for source in area.calendar)


async def signed_in(user_id: int) -> None:
    """What the areas do when someone signs in."""
    for area in AREAS:
        for hook in area.on_sign_in:
            await hook(user_id)
