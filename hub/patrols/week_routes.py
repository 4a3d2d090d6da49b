"""Patrol pages for volunteers: the patrols home, the week of shifts, signing up and withdrawing,
and the shift card both redraw."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date, timedelta

from litestar import Controller, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT

from hub import clock
from hub.community.viewer import Place
from hub.errors import Refused
from hub.forms import Form, sane_day
from hub.i18n import _
from hub.patrols import actions, logbook, queries
from hub.patrols.schedule_times import by_local_day, week_bounds_utc, week_start
from hub.urls import in_building, url
from hub.web.forms import read_form
from hub.web.pages import page, see_other
from hub.web.policy import allowed


def _monday(raw: str | None, timezone: str) -> tuple[date, str]:
    """The Monday of the asked week (this week by default) and an error for a bad value."""
    this_week = week_start(clock.local_today(timezone))
    if not raw:
        return this_week, ""
    day = sane_day(raw)
    if day is None:
        return this_week, _("Please choose a week as a date such as 2026-11-30.")
    return week_start(day), ""


async def shift_changed(
    request: HTMXRequest, place: Place, user_id: int, shift_id: int, change: Awaitable[None]
) -> Template | Redirect:
    """After a sign-up change (the viewer's, or a leader's for someone): the shift's card for
    htmx, else back to where the form was."""
    building_id = place.building_id
    status = 200
    error = ""
    try:
        await change
    except Refused as refused:
        status, error = HTTP_409_CONFLICT, refused.message
    form = Form(await read_form(request))
    if request.htmx:
        shift = await queries.shift(building_id, shift_id, user_id)
        if shift is None:
            raise NotFoundException
        clash = await queries.clash(building_id, shift, user_id) if shift.mine else None
        return page(
            "patrols/_shift_card.html",
            status=status,
            shift=shift,
            building_id=building_id,
            timezone=place.timezone,
            may_plan=place.can("patrols.plan"),
            error=error,
            clash=clash,
            dated=form.flag("dated"),
        )
    if error:
        raise Refused(error)
    back = form.raw("back")
    return see_other(
        back
        if in_building(back, building_id)
        else url("patrols.patrols_home", building_id=building_id)
    )


class WeekController(Controller):
    """What every volunteer does: see the coming shifts and take or leave one."""

    path = "/"
    guards = (allowed("patrols.walk"),)

    @get("/b/{building_id:int}/patrols", opt={"kept_offline": True}, name="patrols.patrols_home")
    async def patrols_home(
        self,
        building_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template:
        now = clock.now()
        coming, running, mine, routes = await asyncio.gather(  # each on its own connection
            queries.coming_shifts(building_id, user_id),
            queries.running_rounds(building_id, user_id),
            queries.my_shifts(building_id, user_id, late=True),
            queries.routes(building_id),
        )
        return page(
            "patrols/home.html",
            building_id=building_id,
            timezone=place.timezone,
            running=running,
            mine=mine,
            open_slots=[s for s in coming if s.open and not s.mine and s.starts_at > now],
            planned=bool(coming),
            routes=routes,
            may_plan=place.can("patrols.plan"),
        )

    @get("/b/{building_id:int}/patrols/week", name="patrols.week")
    async def week_page(
        self,
        building_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
        start: FromQuery[str | None] = None,
    ) -> Template:
        timezone = place.timezone
        monday, error = _monday(start, timezone)
        shifts = await queries.week(building_id, monday, timezone, user_id)
        await logbook.flag_shifts(shifts, week_bounds_utc(monday, timezone)[0])
        return page(
            "patrols/week.html",
            status=422 if error else 200,
            error=error,
            building_id=building_id,
            timezone=timezone,
            monday=monday,
            sunday=monday + timedelta(days=6),
            days=by_local_day(shifts, monday, timezone),
            previous_week=(monday - timedelta(days=7)).isoformat(),
            next_week=(monday + timedelta(days=7)).isoformat(),
            may_plan=place.can("patrols.plan"),
        )

    @post("/b/{building_id:int}/shifts/{shift_id:int}/signup", name="patrols.shift_sign_up")
    async def shift_sign_up(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        shift_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        change = actions.do_sign_up(user_id, building_id, shift_id)
        return await shift_changed(request, place, user_id, shift_id, change)

    @post("/b/{building_id:int}/shifts/{shift_id:int}/withdraw", name="patrols.shift_withdraw")
    async def shift_withdraw(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        shift_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        change = actions.do_withdraw(user_id, building_id, shift_id)
        return await shift_changed(request, place, user_id, shift_id, change)


router = Router(path="/", route_handlers=[WeekController])
