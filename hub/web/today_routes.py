"""What the Today page does besides showing its sections (hub/community renders the page, and
hub/web/today.py gathers the areas' sections): the button that dismisses the person's news.

It lives in the web layer rather than beside the Today handler because the news it dismisses
are the events area's answers, and `community` imports no feature area."""

from __future__ import annotations

from litestar import Router, post
from litestar.di import NamedDependency
from litestar.response import Redirect

from hub.events.actions import do_dismiss_news
from hub.urls import url
from hub.web.pages import see_other
from hub.web.policy import Access, requires


@post("/today/dismiss", guards=[requires(Access.SIGNED_IN)], name="web.dismiss_news")
async def dismiss_news(user_id: NamedDependency[int]) -> Redirect:
    await do_dismiss_news(user_id)
    return see_other(url("community.today"))


router = Router(path="/", route_handlers=[dismiss_news])
