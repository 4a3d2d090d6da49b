"""What events and notices add to the Today page: news, notices, and the next events."""

from __future__ import annotations

from hub.area import Section
from hub.community.viewer import Place, Viewer
from hub.events import actions, queries
from hub.events.text import linkify


async def notices_section(viewer: Viewer, place: Place) -> Section | None:
    notices = await queries.today_notices(place.building_id, place.community_id, place.timezone)
    if not notices:
        return None
    for notice in notices:
        notice["html"] = linkify(notice["text"])
    return Section("events/today_notices.html", {"place": place, "notices": notices})


async def events_section(viewer: Viewer, place: Place) -> Section | None:
    user_id = viewer.user_id or 0
    news = await queries.news(place.building_id, place.community_id, user_id)
    events = await queries.next_events(place.building_id, place.community_id, user_id)
    if not news and not events:
        return None
    for event in events:
        event["open"] = actions.answer_open(event)
    return Section("events/today_events.html", {"place": place, "news": news, "events": events})
