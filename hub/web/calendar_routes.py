"""A person's calendar: the page with their private feed's address, a new address, and the feed
itself, where the calendar sources of every area meet. The feed's token is kept by the events
area (`hub.events.tables.CalendarToken`)."""

from __future__ import annotations

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from hub.events.actions import do_calendar_token
from hub.events.queries import user_for_calendar_token
from hub.urls import url
from hub.web.calendar_feed import calendar, entries_for
from hub.web.exports import ics_response
from hub.web.pages import absolute_url, page, see_other
from hub.web.policy import Access, requires


@get("/calendar", guards=[requires(Access.SIGNED_IN)], name="web.calendar")
async def calendar_page(request: HTMXRequest, user_id: NamedDependency[int]) -> Template:
    token = await do_calendar_token(user_id)
    feed = absolute_url(request, url("web.calendar_feed", feed_token=token))
    return page("events/calendar.html", feed=feed, webcal=feed.split("://", 1)[-1])


@post("/calendar/reset", guards=[requires(Access.SIGNED_IN)], name="web.calendar_reset")
async def calendar_reset(user_id: NamedDependency[int]) -> Redirect:
    await do_calendar_token(user_id, reset=True)
    return see_other(url("web.calendar"))


@get("/calendar/feed/{feed_token:str}", guards=[requires(Access.PUBLIC)], name="web.calendar_feed")
async def calendar_feed(request: HTMXRequest, feed_token: FromPath[str]) -> Response[bytes]:
    """A person's private feed: anyone with the URL may read it; a wrong token is not found."""
    user_id = await user_for_calendar_token(feed_token)
    if user_id is None:
        raise NotFoundException
    body = calendar(await entries_for(user_id), host=request.url.hostname or "hub", name="Hub")
    return ics_response(body)


router = Router(path="/", route_handlers=[calendar_page, calendar_reset, calendar_feed])
