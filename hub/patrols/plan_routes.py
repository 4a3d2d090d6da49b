"""The leader's plan: routes and their checkpoints, the checkpoint posters, weekly schedules,
single shifts, and who is on a shift. Every page here needs `patrols.plan`, declared once on the
controller."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from hub import clock
from hub.community.qr import qr_svg
from hub.community.viewer import Place
from hub.errors import Refused
from hub.forms import Form
from hub.i18n import N_, _, ngettext
from hub.patrols import actions, forms, queries
from hub.patrols.forms import MAX_VOLUNTEERS, day, minutes_to_time, number, time_of_day, weekly_plan
from hub.patrols.schedule_times import MAX_DURATION_MINUTES, WEEKDAYS
from hub.patrols.week_routes import shift_changed
from hub.urls import in_building, url
from hub.web.dates import span
from hub.web.forms import read_form
from hub.web.pages import absolute_url, page, see_other, tell
from hub.web.policy import allowed
from hub.web.templating import weekday_names

POSTER_SIZES = {"a4": N_("A4, one a page"), "a5": N_("A5, one a page"), "a5x2": N_("Two A5 on A4")}


async def _chosen_user(request: HTMXRequest) -> int:
    form = Form(await read_form(request))
    user_id = form.integer("user_id")
    if user_id is None:
        raise Refused(_("Please choose one of the options."), "user_id")
    return user_id


async def _routes_page(
    building_id: int, *, form: Form | None = None, status: int = 200
) -> Template:
    return page(
        "patrols/routes.html",
        status=status,
        at=url("patrols.routes", building_id=building_id),
        building_id=building_id,
        routes=await queries.routes(building_id),
        values=form.values if form else {},
        errors=form.errors if form else {},
    )


async def _route_page(
    request: HTMXRequest,
    place: Place,
    route_id: int,
    *,
    form: Form | None = None,
    form_name: str = "",
    status: int = 200,
) -> Template:
    building_id = place.building_id
    route = await queries.route(building_id, route_id)
    if route is None:
        raise NotFoundException
    return page(
        "patrols/route.html",
        status=status,
        at=url("patrols.route", building_id=building_id, route_id=route_id),
        building_id=building_id,
        route=route,
        weekdays=WEEKDAYS,
        weekday_names=weekday_names(),
        minutes_to_time=minutes_to_time,
        today=clock.local_today(place.timezone).isoformat(),
        form_name=form_name or request.query_params.get("add", ""),
        values=form.values if form else {},
        errors=form.errors if form else {},
        max_volunteers=MAX_VOLUNTEERS,
    )


async def _checkpoint_or_404(building_id: int, checkpoint_id: int) -> dict[str, Any]:
    checkpoint = await queries.checkpoint(building_id, checkpoint_id)
    if checkpoint is None:
        raise NotFoundException
    return checkpoint


def _route_checkpoints(building_id: int, route_id: int) -> str:
    """The route page at its checkpoints, where a change to one of them is seen."""
    return url("patrols.route", building_id=building_id, route_id=route_id) + "#checkpoints"


def _plan_saved(plan: actions.WeeklyPlan) -> str:
    """ "Weekly shifts saved: Mon, Wed, Fri 19:00-20:00, 2 volunteers each." """
    names = weekday_names()
    return ngettext(
        "Weekly shifts saved: %(days)s %(start)s–%(end)s, %(num)s volunteer each. The shifts of "
        "the coming weeks are made.",
        "Weekly shifts saved: %(days)s %(start)s–%(end)s, %(num)s volunteers each. The shifts of "
        "the coming weeks are made.",
        plan.volunteers,
        days=", ".join(names[int(day) - 1] for day in plan.weekdays),
        start=minutes_to_time(plan.start_minute),
        end=minutes_to_time(plan.start_minute + plan.duration_minutes),
    )


class PlanController(Controller):
    path = "/"
    guards = (allowed("patrols.plan"),)

    # Who is on a shift ---------------------------------------------------------------------------

    @get("/b/{building_id:int}/shifts/{shift_id:int}/volunteers", name="patrols.shift_volunteers")
    async def shift_volunteers(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        shift_id: FromPath[int],
        user_id: NamedDependency[int],
        timezone: NamedDependency[str],
    ) -> Template:
        """Who is on a shift, to take off or to add, asked for when a leader changes it: the
        week page would otherwise carry the building's whole list of volunteers for every open
        shift."""
        shift = await queries.shift(building_id, shift_id, user_id)
        if shift is None:
            raise NotFoundException
        back = request.query_params.get("back", "")
        week = url("patrols.week", building_id=building_id)
        context = {
            "building_id": building_id,
            "shift": shift,
            "timezone": timezone,
            "volunteers": await queries.volunteers(building_id) if shift.open else [],
            "back": back if in_building(back, building_id) else week,
            "dated": request.query_params.get("dated") == "1",
        }
        if request.htmx:
            return page("patrols/_shift_volunteers.html", **context)
        return page("patrols/shift_volunteers.html", **context)

    @post("/b/{building_id:int}/shifts/{shift_id:int}/assign", name="patrols.shift_assign")
    async def shift_assign(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        shift_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        volunteer_id = await _chosen_user(request)
        change = actions.do_assign(user_id, building_id, shift_id, volunteer_id)
        return await shift_changed(request, place, user_id, shift_id, change)

    @post("/b/{building_id:int}/shifts/{shift_id:int}/unassign", name="patrols.shift_unassign")
    async def shift_unassign(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        shift_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        volunteer_id = await _chosen_user(request)
        change = actions.do_unassign(user_id, building_id, shift_id, volunteer_id)
        return await shift_changed(request, place, user_id, shift_id, change)

    # Routes and checkpoints ----------------------------------------------------------------------

    @get("/b/{building_id:int}/routes", name="patrols.routes")
    async def routes_page(self, building_id: FromPath[int]) -> Template:
        return await _routes_page(building_id)

    @post("/b/{building_id:int}/routes", name="patrols.route_create")
    async def route_create(
        self, request: HTMXRequest, building_id: FromPath[int], user_id: NamedDependency[int]
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        name, in_order, allow_unscheduled = forms.route_settings(form)
        if not form.ok:
            return await _routes_page(building_id, form=form, status=422)
        route_id = await actions.do_create_route(
            user_id,
            building_id,
            name=name,
            in_order=in_order,
            allow_unscheduled=allow_unscheduled,
        )
        tell(request, _("The route “%(name)s” is made. Now add its checkpoints.", name=name))
        return see_other(
            url("patrols.route", building_id=building_id, route_id=route_id) + "?add=checkpoint"
        )

    @get("/b/{building_id:int}/routes/{route_id:int}", name="patrols.route")
    async def route_page(
        self, request: HTMXRequest, route_id: FromPath[int], place: NamedDependency[Place]
    ) -> Template:
        return await _route_page(request, place, route_id)

    @post("/b/{building_id:int}/routes/{route_id:int}", name="patrols.route_update")
    async def route_update(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        name, in_order, allow_unscheduled = forms.route_settings(form)
        if not form.ok:
            return await _route_page(
                request, place, route_id, form=form, form_name="settings", status=422
            )
        await actions.do_update_route(
            user_id,
            building_id,
            route_id,
            name=name,
            in_order=in_order,
            allow_unscheduled=allow_unscheduled,
        )
        tell(request, _("The route “%(name)s” is saved.", name=name))
        return see_other(url("patrols.route", building_id=building_id, route_id=route_id))

    @post("/b/{building_id:int}/routes/{route_id:int}/checkpoints", name="patrols.checkpoint_add")
    async def checkpoint_add(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        name, location = forms.checkpoint(form)
        if not form.ok:
            return await _route_page(
                request, place, route_id, form=form, form_name="checkpoint", status=422
            )
        await actions.do_add_checkpoint(
            user_id, building_id, route_id, name=name, location=location
        )
        tell(
            request,
            _(
                "“%(name)s” is added to the route. Add the next one, or print its poster.",
                name=name,
            ),
        )
        # The form stays open for the next checkpoint: a route has several.
        return see_other(
            url("patrols.route", building_id=building_id, route_id=route_id) + "?add=checkpoint"
        )

    @post(
        "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/move", name="patrols.checkpoint_move"
    )
    async def checkpoint_move(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        checkpoint_id: FromPath[int],
        user_id: NamedDependency[int],
    ) -> Redirect:
        checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
        form = Form(await read_form(request))
        up = form.choice("direction", ["up", "down"]) == "up"
        if form.ok:
            await actions.do_move_checkpoint(user_id, building_id, checkpoint_id, up=up)
            moved = _("“%(name)s” moved up.") if up else _("“%(name)s” moved down.")
            tell(request, moved % {"name": checkpoint["name"]})
        return see_other(_route_checkpoints(building_id, checkpoint["route"]))

    @post(
        "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/retire",
        name="patrols.checkpoint_retire",
    )
    async def checkpoint_retire(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        checkpoint_id: FromPath[int],
        user_id: NamedDependency[int],
    ) -> Redirect:
        checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
        await actions.do_retire_checkpoint(user_id, building_id, checkpoint_id)
        tell(
            request,
            _(
                "“%(name)s” is off the route. Its check-ins stay in the log book.",
                name=checkpoint["name"],
            ),
        )
        return see_other(_route_checkpoints(building_id, checkpoint["route"]))

    @post(
        "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/token",
        name="patrols.checkpoint_new_token",
    )
    async def checkpoint_new_token(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        checkpoint_id: FromPath[int],
        user_id: NamedDependency[int],
    ) -> Redirect:
        checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
        await actions.do_replace_checkpoint_token(user_id, building_id, checkpoint_id)
        tell(
            request,
            _(
                "“%(name)s” has a new poster code: print its poster again and put it up. The old "
                "poster no longer works.",
                name=checkpoint["name"],
            ),
        )
        return see_other(_route_checkpoints(building_id, checkpoint["route"]))

    # Posters -------------------------------------------------------------------------------------

    @get(
        "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/poster",
        name="patrols.checkpoint_poster",
    )
    async def checkpoint_poster(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        checkpoint_id: FromPath[int],
        size: FromQuery[str] = "a4",
    ) -> Template:
        checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
        return page(
            "patrols/checkpoint_poster.html",
            building_id=building_id,
            checkpoint=checkpoint,
            size="a5" if size == "a5" else "a4",
            poster_url=absolute_url(request, url("patrols.poster", poster=checkpoint["token"])),
        )

    @get("/b/{building_id:int}/routes/{route_id:int}/posters", name="patrols.route_posters")
    async def route_posters(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        place: NamedDependency[Place],
        size: FromQuery[str] = "a4",
    ) -> Template:
        """Every checkpoint poster of a route in one document to print, a poster a page."""
        route = await queries.route(building_id, route_id)
        if route is None:
            raise NotFoundException
        checkpoints = [
            {**checkpoint, "route_name": route["name"], "building_name": place.building_name}
            for checkpoint in route["checkpoints"]
        ]
        return page(
            "patrols/route_posters.html",
            building_id=building_id,
            route=route,
            checkpoints=checkpoints,
            urls={
                c["id"]: absolute_url(request, url("patrols.poster", poster=c["token"]))
                for c in checkpoints
            },
            size=size if size in POSTER_SIZES else "a4",
            sizes=POSTER_SIZES,
        )

    @get(
        "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/qr.svg", name="patrols.checkpoint_qr"
    )
    async def checkpoint_qr(
        self, request: HTMXRequest, building_id: FromPath[int], checkpoint_id: FromPath[int]
    ) -> Response[bytes]:
        checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
        return Response(
            qr_svg(absolute_url(request, url("patrols.poster", poster=checkpoint["token"]))),
            media_type="image/svg+xml",
            headers={"Cache-Control": "private, no-store"},
        )

    # Schedules and single shifts -----------------------------------------------------------------

    @post("/b/{building_id:int}/routes/{route_id:int}/schedules", name="patrols.schedule_create")
    async def schedule_create(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        plan = weekly_plan(form)
        if plan is None:
            return await _route_page(
                request, place, route_id, form=form, form_name="schedule", status=422
            )
        await actions.do_create_schedule(user_id, building_id, route_id, plan)
        tell(request, _plan_saved(plan))
        return see_other(
            url("patrols.route", building_id=building_id, route_id=route_id) + "#schedules"
        )

    @post(
        "/b/{building_id:int}/routes/{route_id:int}/schedules/{schedule_id:int}",
        name="patrols.schedule_update",
    )
    async def schedule_update(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        schedule_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        plan = weekly_plan(form)
        if plan is None:
            return await _route_page(
                request,
                place,
                route_id,
                form=form,
                form_name=f"schedule-{schedule_id}",
                status=422,
            )
        await actions.do_update_schedule(user_id, building_id, schedule_id, plan)
        tell(request, _plan_saved(plan))
        return see_other(
            url("patrols.route", building_id=building_id, route_id=route_id) + "#schedules"
        )

    @post(
        "/b/{building_id:int}/routes/{route_id:int}/schedules/{schedule_id:int}/retire",
        name="patrols.schedule_retire",
    )
    async def schedule_retire(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        schedule_id: FromPath[int],
        user_id: NamedDependency[int],
    ) -> Redirect:
        await actions.do_retire_schedule(user_id, building_id, schedule_id)
        tell(
            request,
            _("These weekly shifts are stopped. The coming ones nobody had taken are gone."),
        )
        return see_other(
            url("patrols.route", building_id=building_id, route_id=route_id) + "#schedules"
        )

    @post("/b/{building_id:int}/routes/{route_id:int}/shifts", name="patrols.shift_create")
    async def shift_create(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        on = day(form, "day")
        start_minute = time_of_day(form, "start")
        duration = number(form, "minutes", low=15, high=MAX_DURATION_MINUTES)
        volunteers = number(form, "volunteers", low=1, high=MAX_VOLUNTEERS)
        if form.ok and on is not None:
            try:
                shift_id = await actions.do_create_shift(
                    user_id,
                    building_id,
                    route_id,
                    day=on,
                    start_minute=start_minute,
                    duration_minutes=duration,
                    volunteers=volunteers,
                )
            except Refused as refused:
                form.error(refused.field or "day", refused.message)
            else:
                shift = await queries.shift(building_id, shift_id, user_id)
                assert shift is not None
                when = span(shift.starts_at, shift.ends_at, place.timezone)
                tell(request, _("A shift is added: %(when)s.", when=when))
                return see_other(
                    url("patrols.week", building_id=building_id) + f"?start={on.isoformat()}"
                )
        return await _route_page(request, place, route_id, form=form, form_name="shift", status=422)


router = Router(path="/", route_handlers=[PlanController])
