"""The Today page's sections, contributed by the areas (each declares its `TodaySection`s in its
area.py) without the page knowing them. hub/community's Today handler renders them in order."""

from __future__ import annotations

import asyncio

from hub.area import Section
from hub.areas import today_sections
from hub.community.viewer import Place, Viewer


async def sections_for(viewer: Viewer, place: Place) -> list[Section]:
    """Every area's section, read at the same time (each on its own connection), in order."""
    found = await asyncio.gather(*(section.make(viewer, place) for section in today_sections()))
    return [section for section in found if section is not None]
