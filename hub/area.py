"""What an area adds to Hub, declared once: each `hub/<area>/area.py` makes one `Area`, and
`hub/areas.py` lists them. The web app, the worker and the tests read that list; nothing
registers itself by being imported.

The types the areas contribute live here too (a Today section, a calendar entry, a periodic
sweep), so that an area's rules and queries never import the web layer to declare them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from piccolo.columns import Column

    from hub.community.viewer import Place, Viewer
    from hub.notifications.kinds import KindSpec


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the Today page: a partial template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionMaker = Callable[["Viewer", "Place"], Awaitable[Section | None]]


@dataclass(frozen=True, slots=True)
class TodaySection:
    """`make` returns the area's section for the viewer in a building, or None when it has
    nothing to show; lower `order` shows first, by what the viewer must do next (the running
    round 5, a leader's missed rounds 6 and what was seen on patrol 7, shifts 8, notices 20,
    events 25, repairs 30)."""

    order: int
    make: SectionMaker


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a person's calendar; `starts`/`ends` are aware datetimes, or dates for
    all-day ones."""

    uid: str
    title: str
    starts: datetime | date
    ends: datetime | date
    timezone: str | None = None
    place: str = ""
    description: str = ""
    cancelled: bool = False


CalendarSource = Callable[[int], Awaitable[list[Entry]]]  # a user id: that person's entries
Sweep = Callable[[datetime], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Periodic:
    """A sweep the worker runs about once a minute, or no more often than `every`: it finds what
    has become due and acts (notify() with a key, so that running it again sends nothing
    twice)."""

    fn: Sweep
    every: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Permission:
    """Something a person may do, by name (`tasks.assign`): routes ask for one, roles grant
    them (`hub.community.roles.GRANTS`). `description` says what it allows, in a few words for
    the translation catalogue."""

    name: str
    description: str


SignedIn = Callable[[int], Awaitable[None]]  # a user id: work to do when that person signs in


@dataclass(frozen=True)
class Area:
    """`routes` names the area's routers as "module:attribute", imported by the web app only,
    so that the worker never builds pages. `kinds` declares each kind of notification the area
    sends: its key (stored in the outbox, so never renamed), how the push service treats it and
    its words; the settings page lists them in the order of the area list, then of this
    declaration. `photo_columns` name the columns whose values are stored photos: the orphan
    sweep keeps their files. `on_sign_in` is work to do when someone signs in (community hands
    them the roles they were invited to). `permissions` are the ones the area's routes and rules
    ask for."""

    name: str
    routes: tuple[str, ...] = ()
    today: tuple[TodaySection, ...] = ()
    calendar: tuple[CalendarSource, ...] = ()
    sweeps: tuple[Periodic, ...] = ()
    kinds: Mapping[str, KindSpec] = field(default_factory=dict)
    photo_columns: Callable[[], tuple[Column, ...]] = tuple
    on_sign_in: tuple[SignedIn, ...] = ()
    permissions: tuple[Permission, ...] = ()

    def routers(self) -> list[Any]:
        return [load(name) for name in self.routes]


def load(name: str) -> Any:
    """The object a "module:attribute" name points at, imported on demand."""
    module, attribute = name.split(":")
    return getattr(import_module(module), attribute)
