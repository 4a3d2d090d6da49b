"""The tasks' part of Today: "is it fixed?" for what the viewer reported and was marked done a
week ago, and how many open tasks wait for them. Registered through hub.web.today, so the
community area that owns Today does not know about tasks."""

from __future__ import annotations

from hub.community.viewer import Place, Viewer
from hub.tasks import queries
from hub.web.today import Section, today_section


@today_section(30)
async def tasks_today(viewer: Viewer, place: Place) -> Section | None:
    user_id = viewer.user_id or 0
    return Section(
        "tasks/_today.html",
        {
            "building_id": place.building_id,
            "timezone": place.timezone,
            "questions": await queries.fixed_questions(place.building_id, user_id),
            "assigned": await queries.open_assigned_count(place.building_id, user_id),
        },
    )
