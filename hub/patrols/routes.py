"""Patrol pages: the plan (routes, checkpoints, schedules), the week, sign-up, and rounds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import anyio.to_thread
from litestar import Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT

from hub.community.qr import qr_svg
from hub.community.roles import Role
from hub.errors import Refused
from hub.media.images import MAX_UPLOAD_BYTES, StoredImage, discard_stored, store_uploads
from hub.media.serving import photo_response
from hub.patrols import actions, logbook, observations, queries
from hub.patrols import calendar as _calendar  # noqa: F401 - registers the shifts' calendar entries
from hub.patrols import notifications as _notifications  # noqa: F401 - push texts and sweeps
from hub.patrols.actions import CheckInInput
from hub.patrols.forms import (
    MAX_DURATION_MINUTES,
    MAX_VOLUNTEERS,
    coordinate,
    day,
    minutes_to_time,
    number,
    time_of_day,
    weekly_plan,
)
from hub.patrols.schedule_times import (
    WEEKDAYS,
    by_local_day,
    local_today,
    week_bounds_utc,
    week_start,
)
from hub.web.forms import Form, device_time, read_form, read_uploads, uuid_text
from hub.web.i18n import _
from hub.web.pages import absolute_url, page, see_other
from hub.web.policy import Access, requires, user_id_of, viewer_of
from hub.web.templating import weekday_names

NAME_LENGTH = 80
LOCATION_LENGTH = 200
NOTE_LENGTH = 2000
# One photo of up to 10 MB, and the few text fields of a check-in around it.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 256 * 1024


def _role(request: HTMXRequest, building_id: int) -> Role | None:
    return viewer_of(request).role_in(building_id)


def _timezone(request: HTMXRequest, building_id: int) -> str:
    """The building's time zone, from the viewer's places (the guard made sure it is there)."""
    return viewer_of(request).places[building_id].timezone


# Patrols home and the week ----------------------------------------------------------------------


@get("/b/{building_id:int}/patrols", guards=[requires(Access.VOLUNTEER)])
async def patrols_home(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    user_id = user_id_of(request)
    await actions.do_extend_schedules(building_id)
    return page(
        "patrols/home.html",
        building_id=building_id,
        timezone=_timezone(request, building_id),
        running=await queries.running_rounds(building_id, user_id),
        mine=await queries.my_shifts(building_id, user_id),
        open_slots=await queries.open_slots(building_id, user_id),
        routes=await queries.routes(building_id),
        is_leader=_role(request, building_id) is Role.LEADER,
    )


def _monday(raw: str | None, timezone: str) -> date:
    try:
        chosen = date.fromisoformat(raw) if raw else local_today(timezone)
    except ValueError:
        chosen = local_today(timezone)
    return week_start(chosen)


@get("/b/{building_id:int}/patrols/week", guards=[requires(Access.VOLUNTEER)])
async def week_page(
    request: HTMXRequest, building_id: FromPath[int], start: FromQuery[str | None] = None
) -> Template:
    timezone = _timezone(request, building_id)
    monday = _monday(start, timezone)
    shifts = await queries.week(building_id, monday, timezone, user_id_of(request))
    await _flag_shifts(building_id, shifts, monday, timezone)
    is_leader = _role(request, building_id) is Role.LEADER
    return page(
        "patrols/week.html",
        building_id=building_id,
        timezone=timezone,
        monday=monday,
        days=by_local_day(shifts, monday, timezone),
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        is_leader=is_leader,
        volunteers=await queries.volunteers(building_id) if is_leader else [],
    )


async def _flag_shifts(
    building_id: int, shifts: list[dict[str, Any]], monday: date, timezone: str
) -> None:
    """Mark the week's missed shifts (ended without a finished round) and the ones nobody has
    taken that start within a day."""
    start, end = week_bounds_utc(monday, timezone)
    flags = await logbook.shift_flags(building_id, start, end)
    missed = {flag.shift_id for flag in flags.missed}
    unfilled = {flag.shift_id for flag in flags.unfilled}
    for shift in shifts:
        shift["flag"] = (
            "missed" if shift["id"] in missed else "unfilled" if shift["id"] in unfilled else ""
        )


# Signing up -------------------------------------------------------------------------------------


async def _shift_changed(
    request: HTMXRequest, building_id: int, shift_id: int, change: Awaitable[None]
) -> Template | Redirect:
    """After a sign-up change: the shift's card for htmx, else back to where the form was."""
    status = 200
    error = ""
    try:
        await change
    except Refused as refused:
        status, error = HTTP_409_CONFLICT, refused.message
    if request.htmx:
        shift = await queries.shift(building_id, shift_id, user_id_of(request))
        if shift is None:
            raise NotFoundException
        is_leader = _role(request, building_id) is Role.LEADER
        return page(
            "patrols/_shift_card.html",
            status=status,
            shift=shift,
            building_id=building_id,
            timezone=_timezone(request, building_id),
            is_leader=is_leader,
            volunteers=await queries.volunteers(building_id) if is_leader else [],
            error=error,
            clash=await _clash(building_id, shift, user_id_of(request)) if shift["mine"] else None,
        )
    if error:
        raise Refused(error)
    form = Form(await read_form(request))
    back = form.raw("back")
    return see_other(back if back.startswith(f"/b/{building_id}/") else f"/b/{building_id}/patrols")


async def _clash(building_id: int, shift: dict[str, Any], user_id: int) -> dict[str, Any] | None:
    """Another of my shifts overlapping this one, to warn about."""
    for other in await queries.my_shifts(building_id, user_id, limit=50):
        overlaps = other["starts_at"] < shift["ends_at"] and shift["starts_at"] < other["ends_at"]
        if other["id"] != shift["id"] and overlaps:
            return other
    return None


@post("/b/{building_id:int}/shifts/{shift_id:int}/signup", guards=[requires(Access.VOLUNTEER)])
async def shift_sign_up(
    request: HTMXRequest, building_id: FromPath[int], shift_id: FromPath[int]
) -> Template | Redirect:
    change = actions.do_sign_up(building_id, shift_id, user_id_of(request))
    return await _shift_changed(request, building_id, shift_id, change)


@post("/b/{building_id:int}/shifts/{shift_id:int}/withdraw", guards=[requires(Access.VOLUNTEER)])
async def shift_withdraw(
    request: HTMXRequest, building_id: FromPath[int], shift_id: FromPath[int]
) -> Template | Redirect:
    change = actions.do_withdraw(building_id, shift_id, user_id_of(request))
    return await _shift_changed(request, building_id, shift_id, change)


async def _chosen_user(request: HTMXRequest) -> int:
    form = Form(await read_form(request))
    user_id = form.integer("user_id")
    if user_id is None:
        raise Refused(_("Please choose one of the options."), "user_id")
    return user_id


@post("/b/{building_id:int}/shifts/{shift_id:int}/assign", guards=[requires(Access.LEADER)])
async def shift_assign(
    request: HTMXRequest, building_id: FromPath[int], shift_id: FromPath[int]
) -> Template | Redirect:
    user_id = await _chosen_user(request)
    change = actions.do_assign(building_id, shift_id, user_id, actor=user_id_of(request))
    return await _shift_changed(request, building_id, shift_id, change)


@post("/b/{building_id:int}/shifts/{shift_id:int}/unassign", guards=[requires(Access.LEADER)])
async def shift_unassign(
    request: HTMXRequest, building_id: FromPath[int], shift_id: FromPath[int]
) -> Template | Redirect:
    user_id = await _chosen_user(request)
    change = actions.do_unassign(building_id, shift_id, user_id)
    return await _shift_changed(request, building_id, shift_id, change)


# The plan: routes and checkpoints ---------------------------------------------------------------


async def _routes_page(
    building_id: int, *, form: Form | None = None, status: int = 200
) -> Template:
    return page(
        "patrols/routes.html",
        status=status,
        building_id=building_id,
        routes=await queries.routes(building_id),
        values=form.values if form else {},
        errors=form.errors if form else {},
    )


@get("/b/{building_id:int}/routes", guards=[requires(Access.LEADER)])
async def routes_page(building_id: FromPath[int]) -> Template:
    return await _routes_page(building_id)


def _route_settings(form: Form) -> tuple[str, bool, bool]:
    return (
        form.text("name", max_length=NAME_LENGTH),
        form.flag("in_order"),
        form.flag("allow_unscheduled"),
    )


@post("/b/{building_id:int}/routes", guards=[requires(Access.LEADER)])
async def route_create(request: HTMXRequest, building_id: FromPath[int]) -> Template | Redirect:
    form = Form(await read_form(request))
    name, in_order, allow_unscheduled = _route_settings(form)
    if not form.ok:
        return await _routes_page(building_id, form=form, status=422)
    route_id = await actions.do_create_route(
        building_id, name=name, in_order=in_order, allow_unscheduled=allow_unscheduled
    )
    return see_other(f"/b/{building_id}/routes/{route_id}")


async def _route_page(
    request: HTMXRequest,
    building_id: int,
    route_id: int,
    *,
    form: Form | None = None,
    form_name: str = "",
    status: int = 200,
) -> Template:
    route = await queries.route(building_id, route_id)
    if route is None:
        raise NotFoundException
    return page(
        "patrols/route.html",
        status=status,
        building_id=building_id,
        route=route,
        weekdays=WEEKDAYS,
        weekday_names=weekday_names(),
        minutes_to_time=minutes_to_time,
        today=local_today(_timezone(request, building_id)).isoformat(),
        form_name=form_name,
        values=form.values if form else {},
        errors=form.errors if form else {},
        max_volunteers=MAX_VOLUNTEERS,
    )


@get("/b/{building_id:int}/routes/{route_id:int}", guards=[requires(Access.LEADER)])
async def route_page(
    request: HTMXRequest, building_id: FromPath[int], route_id: FromPath[int]
) -> Template:
    return await _route_page(request, building_id, route_id)


@post("/b/{building_id:int}/routes/{route_id:int}", guards=[requires(Access.LEADER)])
async def route_update(
    request: HTMXRequest, building_id: FromPath[int], route_id: FromPath[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    name, in_order, allow_unscheduled = _route_settings(form)
    if not form.ok:
        return await _route_page(
            request, building_id, route_id, form=form, form_name="settings", status=422
        )
    await actions.do_update_route(
        building_id, route_id, name=name, in_order=in_order, allow_unscheduled=allow_unscheduled
    )
    return see_other(f"/b/{building_id}/routes/{route_id}")


@post("/b/{building_id:int}/routes/{route_id:int}/checkpoints", guards=[requires(Access.LEADER)])
async def checkpoint_add(
    request: HTMXRequest, building_id: FromPath[int], route_id: FromPath[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    name = form.text("name", max_length=NAME_LENGTH)
    location = form.text("location", max_length=LOCATION_LENGTH, required=False)
    if not form.ok:
        return await _route_page(
            request, building_id, route_id, form=form, form_name="checkpoint", status=422
        )
    await actions.do_add_checkpoint(building_id, route_id, name=name, location=location)
    return see_other(f"/b/{building_id}/routes/{route_id}#checkpoints")


async def _checkpoint_or_404(building_id: int, checkpoint_id: int) -> dict[str, Any]:
    checkpoint = await queries.checkpoint(building_id, checkpoint_id)
    if checkpoint is None:
        raise NotFoundException
    return checkpoint


@post("/b/{building_id:int}/checkpoints/{checkpoint_id:int}/move", guards=[requires(Access.LEADER)])
async def checkpoint_move(
    request: HTMXRequest, building_id: FromPath[int], checkpoint_id: FromPath[int]
) -> Redirect:
    checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
    form = Form(await read_form(request))
    up = form.choice("direction", ["up", "down"]) == "up"
    if form.ok:
        await actions.do_move_checkpoint(building_id, checkpoint_id, up=up)
    return see_other(f"/b/{building_id}/routes/{checkpoint['route']}#checkpoints")


@post(
    "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/retire",
    guards=[requires(Access.LEADER)],
)
async def checkpoint_retire(building_id: FromPath[int], checkpoint_id: FromPath[int]) -> Redirect:
    checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
    await actions.do_retire_checkpoint(building_id, checkpoint_id)
    return see_other(f"/b/{building_id}/routes/{checkpoint['route']}#checkpoints")


@post(
    "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/token",
    guards=[requires(Access.LEADER)],
)
async def checkpoint_new_token(
    building_id: FromPath[int], checkpoint_id: FromPath[int]
) -> Redirect:
    checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
    await actions.do_replace_checkpoint_token(building_id, checkpoint_id)
    return see_other(f"/b/{building_id}/routes/{checkpoint['route']}#checkpoints")


@get(
    "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/poster",
    guards=[requires(Access.LEADER)],
)
async def checkpoint_poster(
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
        url=absolute_url(request, f"/c/{checkpoint['token']}"),
    )


@get(
    "/b/{building_id:int}/checkpoints/{checkpoint_id:int}/qr.svg",
    guards=[requires(Access.LEADER)],
)
async def checkpoint_qr(
    request: HTMXRequest, building_id: FromPath[int], checkpoint_id: FromPath[int]
) -> Response[bytes]:
    checkpoint = await _checkpoint_or_404(building_id, checkpoint_id)
    return Response(
        qr_svg(absolute_url(request, f"/c/{checkpoint['token']}")),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )


# The plan: schedules and single shifts ----------------------------------------------------------


@post("/b/{building_id:int}/routes/{route_id:int}/schedules", guards=[requires(Access.LEADER)])
async def schedule_create(
    request: HTMXRequest, building_id: FromPath[int], route_id: FromPath[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    plan = weekly_plan(form)
    if plan is None:
        return await _route_page(
            request, building_id, route_id, form=form, form_name="schedule", status=422
        )
    await actions.do_create_schedule(building_id, route_id, plan)
    return see_other(f"/b/{building_id}/routes/{route_id}#schedules")


@post(
    "/b/{building_id:int}/routes/{route_id:int}/schedules/{schedule_id:int}",
    guards=[requires(Access.LEADER)],
)
async def schedule_update(
    request: HTMXRequest,
    building_id: FromPath[int],
    route_id: FromPath[int],
    schedule_id: FromPath[int],
) -> Template | Redirect:
    form = Form(await read_form(request))
    plan = weekly_plan(form)
    if plan is None:
        return await _route_page(
            request,
            building_id,
            route_id,
            form=form,
            form_name=f"schedule-{schedule_id}",
            status=422,
        )
    await actions.do_update_schedule(building_id, schedule_id, plan)
    return see_other(f"/b/{building_id}/routes/{route_id}#schedules")


@post(
    "/b/{building_id:int}/routes/{route_id:int}/schedules/{schedule_id:int}/retire",
    guards=[requires(Access.LEADER)],
)
async def schedule_retire(
    building_id: FromPath[int], route_id: FromPath[int], schedule_id: FromPath[int]
) -> Redirect:
    await actions.do_retire_schedule(building_id, schedule_id)
    return see_other(f"/b/{building_id}/routes/{route_id}#schedules")


@post("/b/{building_id:int}/routes/{route_id:int}/shifts", guards=[requires(Access.LEADER)])
async def shift_create(
    request: HTMXRequest, building_id: FromPath[int], route_id: FromPath[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    on = day(form, "day")
    start_minute = time_of_day(form, "start")
    duration = number(form, "minutes", low=15, high=MAX_DURATION_MINUTES)
    volunteers = number(form, "volunteers", low=1, high=MAX_VOLUNTEERS)
    if form.ok and on is not None:
        try:
            await actions.do_create_shift(
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
            return see_other(f"/b/{building_id}/patrols/week?start={on.isoformat()}")
    return await _route_page(
        request, building_id, route_id, form=form, form_name="shift", status=422
    )


# Rounds -----------------------------------------------------------------------------------------


@post("/b/{building_id:int}/routes/{route_id:int}/rounds", guards=[requires(Access.VOLUNTEER)])
async def round_start(
    request: HTMXRequest, building_id: FromPath[int], route_id: FromPath[int]
) -> Redirect:
    form = Form(await read_form(request))
    shift_id = form.integer("shift_id") if form.raw("shift_id") else None
    round_id = await actions.do_start_round(
        building_id, route_id, user_id_of(request), shift_id=shift_id
    )
    return see_other(f"/b/{building_id}/rounds/{round_id}")


async def _round_or_404(request: HTMXRequest, building_id: int, round_id: int) -> dict[str, Any]:
    walk = await queries.round_page(building_id, round_id)
    mine = walk is not None and walk["user"] == user_id_of(request)
    if walk is None or not (mine or _role(request, building_id) is Role.LEADER):
        raise NotFoundException
    walk["mine"] = mine
    return walk


@get("/b/{building_id:int}/rounds/{round_id:int}", guards=[requires(Access.VOLUNTEER)])
async def round_page(
    request: HTMXRequest, building_id: FromPath[int], round_id: FromPath[int]
) -> Template:
    return await _render_round(request, building_id, round_id)


async def _render_round(
    request: HTMXRequest, building_id: int, round_id: int, *, status: int = 200, error: str = ""
) -> Template:
    walk = await _round_or_404(request, building_id, round_id)
    return page(
        "patrols/round.html",
        observations=await observations.of_round(round_id),
        kinds=observations.KINDS,
        severities=observations.SEVERITIES,
        status=status,
        building_id=building_id,
        walk=walk,
        timezone=_timezone(request, building_id),
        new_uuid=lambda: str(uuid.uuid4()),
        max_photos=actions.MAX_PHOTOS_PER_CHECK_IN,
        error=error,
    )


@post("/b/{building_id:int}/rounds/{round_id:int}/finish", guards=[requires(Access.VOLUNTEER)])
async def round_finish(
    request: HTMXRequest, building_id: FromPath[int], round_id: FromPath[int]
) -> Template | Redirect:
    data = await read_form(request)
    reasons = {
        int(key.removeprefix("skip-")): values[0].strip()[:NOTE_LENGTH]
        for key, values in data.items()
        if key.startswith("skip-") and key.removeprefix("skip-").isdigit() and values[0].strip()
    }
    try:
        await actions.do_finish_round(building_id, round_id, user_id_of(request), reasons)
    except Refused as refused:
        return await _render_round(
            request, building_id, round_id, status=422, error=refused.message
        )
    return see_other(f"/b/{building_id}/patrols")


def _check_in_input(form: Form, *, manual: bool, photo: StoredImage | None = None) -> CheckInInput:
    return CheckInInput(
        client_uuid=form.raw("client_uuid"),
        device_time=device_time(form.raw("device_time")),
        manual=manual,
        note=form.text("note", max_length=NOTE_LENGTH, required=False, multiline=True),
        latitude=coordinate(form.raw("latitude"), 90),
        longitude=coordinate(form.raw("longitude"), 180),
        photo=photo,
    )


@asynccontextmanager
async def _uploaded_photo(request: HTMXRequest) -> AsyncIterator[tuple[StoredImage | None, str]]:
    """The photo sent in the "photo" field if it is good, else why it was refused, for the
    block's action; its files go afterwards unless the action recorded it (it was a replay of
    one already stored, or the action was refused)."""
    stored, refusals = await store_uploads((await read_uploads(request, "photo"))[:1])
    photo = stored[0] if stored else None
    try:
        yield photo, " ".join(refusals)
    finally:
        if photo is not None and not await queries.photo_recorded(photo.file):
            await anyio.to_thread.run_sync(discard_stored, photo)


async def _after_check_in(
    request: HTMXRequest, building_id: int, round_id: int, refusal: str
) -> Template | Redirect:
    """Back to the round; a refused photo is said there, the check-in itself being kept."""
    if refusal:
        return await _render_round(
            request,
            building_id,
            round_id,
            status=422,
            error=_("The check-in is saved, but not the photo: %(reason)s", reason=refusal),
        )
    return see_other(f"/b/{building_id}/rounds/{round_id}")


@post(
    "/b/{building_id:int}/checkins",
    guards=[requires(Access.VOLUNTEER)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def check_in(request: HTMXRequest, building_id: FromPath[int]) -> Template | Redirect:
    """The one idempotent way in for check-ins: the client's UUID is recorded once."""
    form = Form(await read_form(request))
    checkpoint_id = form.integer("checkpoint_id")
    if checkpoint_id is None:
        raise Refused(_("This check-in could not be read. Please try again."))
    async with _uploaded_photo(request) as (photo, refusal):
        round_id, _check_in_id = await actions.do_check_in(
            building_id,
            checkpoint_id,
            user_id_of(request),
            _check_in_input(form, manual=form.flag("manual"), photo=photo),
        )
    return await _after_check_in(request, building_id, round_id, refusal)


@post("/b/{building_id:int}/checkins/{check_in_id:int}/note", guards=[requires(Access.VOLUNTEER)])
async def check_in_note(
    request: HTMXRequest, building_id: FromPath[int], check_in_id: FromPath[int]
) -> Redirect:
    form = Form(await read_form(request))
    note = form.text("note", max_length=NOTE_LENGTH, multiline=True)
    if not form.ok:
        raise Refused(form.errors["note"], "note")
    await actions.do_add_note(building_id, check_in_id, user_id_of(request), note)
    round_id = form.integer("round_id")
    if round_id is None:
        return see_other(f"/b/{building_id}/patrols")
    return see_other(f"/b/{building_id}/rounds/{round_id}")


@post(
    "/b/{building_id:int}/checkins/{check_in_id:int}/photos",
    guards=[requires(Access.VOLUNTEER)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def check_in_photo(
    request: HTMXRequest, building_id: FromPath[int], check_in_id: FromPath[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    round_id = form.integer("round_id")
    if round_id is None:
        raise Refused(_("This check-in could not be read. Please try again."))
    async with _uploaded_photo(request) as (photo, refusal):
        if photo is None:
            error = refusal or _("Please choose a photo.")
            return await _render_round(request, building_id, round_id, status=422, error=error)
        try:
            await actions.do_add_photo(
                building_id,
                check_in_id,
                user_id_of(request),
                photo,
                uuid_text(form.raw("client_uuid")),
            )
        except Refused as refused:
            return await _render_round(
                request, building_id, round_id, status=422, error=refused.message
            )
    return see_other(f"/b/{building_id}/rounds/{round_id}")


async def _check_in_photo(
    request: HTMXRequest, building_id: int, photo_id: int, *, thumb: bool
) -> Response[Any]:
    """Served to the volunteer whose round it was taken on and to the building's leaders."""
    found = await queries.photo_file(building_id, photo_id)
    allowed = found is not None and (
        found["volunteer"] == user_id_of(request) or _role(request, building_id) is Role.LEADER
    )
    return photo_response(found["file"] if found and allowed else None, thumb=thumb)


@get(
    "/b/{building_id:int}/checkins/photos/{check_in_photo_id:int}",
    guards=[requires(Access.VOLUNTEER)],
)
async def check_in_photo_file(
    request: HTMXRequest, building_id: FromPath[int], check_in_photo_id: FromPath[int]
) -> Response[Any]:
    return await _check_in_photo(request, building_id, check_in_photo_id, thumb=False)


@get(
    "/b/{building_id:int}/checkins/photos/{check_in_photo_id:int}/thumb",
    guards=[requires(Access.VOLUNTEER)],
)
async def check_in_photo_thumb(
    request: HTMXRequest, building_id: FromPath[int], check_in_photo_id: FromPath[int]
) -> Response[Any]:
    return await _check_in_photo(request, building_id, check_in_photo_id, thumb=True)


@post(
    "/b/{building_id:int}/checkins/{check_in_id:int}/observations",
    guards=[requires(Access.VOLUNTEER)],
)
async def check_in_observe(
    request: HTMXRequest, building_id: FromPath[int], check_in_id: FromPath[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    kind = form.choice("kind", observations.KINDS)
    severity = form.choice("severity", observations.SEVERITIES)
    note = form.text("note", max_length=NOTE_LENGTH, multiline=True)
    round_id = form.integer("round_id")
    if round_id is None:
        raise Refused(_("This check-in could not be read. Please try again."))
    if not form.ok:
        message = next(iter(form.errors.values()))
        return await _render_round(request, building_id, round_id, status=422, error=message)
    await observations.do_observe(
        building_id, check_in_id, user_id_of(request), kind=kind, severity=severity, note=note
    )
    return see_other(f"/b/{building_id}/rounds/{round_id}")


@post(
    "/b/{building_id:int}/observations/{observation_id:int}/task",
    guards=[requires(Access.LEADER)],
)
async def observation_to_task(
    request: HTMXRequest, building_id: FromPath[int], observation_id: FromPath[int]
) -> Redirect:
    task_id = await observations.do_make_task(building_id, observation_id, user_id_of(request))
    return see_other(f"/b/{building_id}/tasks/{task_id}")


# The checkpoint poster's URL --------------------------------------------------------------------


async def _poster_target(token: str) -> dict[str, Any]:
    checkpoint = await queries.checkpoint_by_token(token)
    if checkpoint is None or checkpoint["retired_at"] or checkpoint["route_retired_at"]:
        raise Refused(
            _("This poster no longer works. Please tell your leader, and use the round page.")
        )
    return checkpoint


@get("/c/{poster:str}", guards=[requires(Access.PUBLIC)])
async def poster_page(request: HTMXRequest, poster: FromPath[str]) -> Template:
    """What a phone camera opens. It changes nothing (chat apps open links for previews)."""
    checkpoint = await _poster_target(poster)
    viewer = viewer_of(request)
    role = viewer.role_in(checkpoint["building_id"])
    running = None
    if viewer.user_id is not None and role is not None and role >= Role.VOLUNTEER:
        running = await queries.running_round(viewer.user_id, checkpoint["route_id"])
    return page(
        "patrols/checkpoint.html",
        checkpoint=checkpoint,
        poster=poster,
        signed_in=viewer.signed_in,
        may_patrol=role is not None and role >= Role.VOLUNTEER,
        running=running,
        new_uuid=str(uuid.uuid4()),
    )


@post(
    "/c/{poster:str}",
    guards=[requires(Access.SIGNED_IN)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def poster_check_in(request: HTMXRequest, poster: FromPath[str]) -> Template | Redirect:
    checkpoint = await _poster_target(poster)
    role = viewer_of(request).role_in(checkpoint["building_id"])
    if role is None or role < Role.VOLUNTEER:
        raise Refused(_("Only the building's volunteers check in at its checkpoints."))
    form = Form(await read_form(request))
    building_id = checkpoint["building_id"]
    if form.raw("start") == "1":
        await actions.do_start_round(
            building_id, checkpoint["route_id"], user_id_of(request), shift_id=None
        )
    async with _uploaded_photo(request) as (photo, refusal):
        round_id, _check_in_id = await actions.do_check_in(
            building_id,
            checkpoint["id"],
            user_id_of(request),
            _check_in_input(form, manual=False, photo=photo),
        )
    return await _after_check_in(request, building_id, round_id, refusal)


router = Router(
    path="/",
    route_handlers=[
        patrols_home,
        week_page,
        shift_sign_up,
        shift_withdraw,
        shift_assign,
        shift_unassign,
        routes_page,
        route_create,
        route_page,
        route_update,
        checkpoint_add,
        checkpoint_move,
        checkpoint_retire,
        checkpoint_new_token,
        checkpoint_poster,
        checkpoint_qr,
        schedule_create,
        schedule_update,
        schedule_retire,
        shift_create,
        round_start,
        round_page,
        round_finish,
        check_in,
        check_in_note,
        check_in_photo,
        check_in_photo_file,
        check_in_photo_thumb,
        check_in_observe,
        observation_to_task,
        poster_page,
        poster_check_in,
    ],
)
