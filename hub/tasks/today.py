"""The tasks' part of Today: "is it fixed?" for what the viewer reported and was marked done a
week ago, and how many open tasks wait for them. Registered through hub.web.today, so the
community area that owns Today does not know about tasks."""

from __future__ import annotations

import asyncio

from hub.area import Section
from hub.community.viewer import Place, Viewer
from hub.tasks import queries


async def tasks_today(viewer: Viewer, place: Place) -> Section | None:
    user_id = viewer.user_id or 0
    questions, assigned = await asyncio.gather(
        queries.fixed_questions(place.building_id, user_id),
        queries.open_assigned_count(place.building_id, user_id),
    )
    return Section(
        "tasks/_today.html",
        {
            "building_id": place.building_id,
            "timezone": place.timezone,
            "questions": questions,
            "assigned": assigned,
        },
    )
