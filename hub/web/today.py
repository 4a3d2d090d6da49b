"""The Today page's sections, contributed by each area without the page knowing the areas.

An area registers an async function with `@today_section(order)`; it gets the viewer and their
current building and returns a `Section` (a partial template and its context) or None when it
has nothing to show. hub/community's Today handler renders the sections in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from hub.community.viewer import Place, Viewer


@dataclass(frozen=True, slots=True)
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionMaker = Callable[[Viewer, Place], Awaitable[Section | None]]
_makers: list[tuple[int, SectionMaker]] = []


def today_section(order: int) -> Callable[[SectionMaker], SectionMaker]:
    """Register a section; lower `order` shows first (notices 10, shifts 20, tasks 30, ...)."""

    def register(maker: SectionMaker) -> SectionMaker:
        _makers.append((order, maker))
        _makers.sort(key=lambda item: item[0])
        return maker

    return register


async def sections_for(viewer: Viewer, place: Place) -> list[Section]:
    found = [await maker(viewer, place) for _order, maker in _makers]
    return [section for section in found if section is not None]
