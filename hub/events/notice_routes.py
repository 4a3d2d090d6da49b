"""The notice board: reading it and a notice's photo, and posting, changing and taking down
notices."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template

from hub.community.viewer import Place
from hub.events import actions, forms, queries
from hub.events.event_routes import UPLOAD_BODY_LIMIT, may_manage, photo_field, photo_file
from hub.events.text import linkify
from hub.forms import Form
from hub.urls import url
from hub.web.forms import read_form
from hub.web.pages import form_page, page, see_other
from hub.web.policy import allowed


def with_html(notices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for notice in notices:
        notice["html"] = linkify(notice["text"])
    return notices


async def _notice_or_404(
    place: Place, notice_id: int, *, retired_too: bool = False
) -> dict[str, Any]:
    notice = await queries.notice(place.building_id, place.community_id, notice_id)
    if notice is None or (notice["retired_at"] is not None and not retired_too):
        raise NotFoundException
    may_manage(place, notice["community_wide"])
    return notice


class NoticeBoardController(Controller):
    path = "/"
    guards = (allowed("notices.read"),)

    @get("/b/{building_id:int}/notices", name="events.notice_board")
    async def notice_board(self, place: NamedDependency[Place]) -> Template:
        notices = await queries.notices(place.building_id, place.community_id, place.timezone)
        return page("events/notices.html", place=place, notices=with_html(notices))

    @get("/b/{building_id:int}/notices/{notice_id:int}/photo", name="events.notice_photo")
    async def notice_photo(
        self, request: HTMXRequest, notice_id: FromPath[int], place: NamedDependency[Place]
    ) -> File:
        """A notice's photo, only to members of a building that shows the notice."""
        notice = await queries.notice(place.building_id, place.community_id, notice_id)
        if notice is None:
            raise NotFoundException
        return await photo_file(request, notice["photo"])


class NoticeManagementController(Controller):
    path = "/"
    guards = (allowed("notices.manage"),)

    @get("/b/{building_id:int}/notices/new", name="events.notice_new")
    async def notice_new(self, place: NamedDependency[Place]) -> Template:
        return page("events/notice_form.html", place=place, notice=None, values={}, errors={})

    @post(
        "/b/{building_id:int}/notices",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        name="events.notice_create",
    )
    async def notice_create(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        details = forms.notice_details(form, await photo_field(request, form, "", "photo"))
        community_wide = form.flag("community_wide") and place.can("events.community_wide")
        if details is None:
            return form_page(
                "events/notice_form.html",
                form,
                at=url("events.notice_new", building_id=building_id),
                place=place,
                notice=None,
            )
        await actions.do_post_notice(
            user_id, place.community_id, None if community_wide else building_id, details
        )
        return see_other(url("events.notice_board", building_id=building_id))

    @get("/b/{building_id:int}/notices/{notice_id:int}/edit", name="events.notice_edit_page")
    async def notice_edit_page(
        self, notice_id: FromPath[int], place: NamedDependency[Place]
    ) -> Template:
        notice = await _notice_or_404(place, notice_id)
        values = {
            "title": notice["title"],
            "text": notice["text"],
            "pinned": "on" if notice["pinned"] else "",
            "urgent": "on" if notice["urgent"] else "",
            "ends_on": notice["ends_on"].isoformat() if notice["ends_on"] else "",
            "kept_photo": notice["photo"],
        }
        return page("events/notice_form.html", place=place, notice=notice, values=values, errors={})

    @post(
        "/b/{building_id:int}/notices/{notice_id:int}/edit",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        name="events.notice_edit",
    )
    async def notice_edit(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        notice_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        notice = await _notice_or_404(place, notice_id)
        form = Form(await read_form(request))
        photo = await photo_field(request, form, notice["photo"], "photo")
        details = forms.notice_details(form, photo)
        if details is None:
            return form_page(
                "events/notice_form.html",
                form,
                at=url("events.notice_edit_page", building_id=building_id, notice_id=notice_id),
                place=place,
                notice=notice,
            )
        await actions.do_edit_notice(user_id, building_id, notice_id, details)
        return see_other(url("events.notice_board", building_id=building_id))

    @post("/b/{building_id:int}/notices/{notice_id:int}/retire", name="events.notice_retire")
    async def notice_retire(
        self,
        building_id: FromPath[int],
        notice_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Redirect:
        await _notice_or_404(place, notice_id, retired_too=True)  # taking down twice is no error
        await actions.do_retire_notice(user_id, building_id, notice_id)
        return see_other(url("events.notice_board", building_id=building_id))


router = Router(path="/", route_handlers=[NoticeBoardController, NoticeManagementController])
