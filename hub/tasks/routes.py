"""Repair tasks: report, the building's board, my tasks, a task's page, moves, comments,
planning and assigning, and the photos (served only to the building's members)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

import hub.tasks.calendar
import hub.tasks.notifications  # registers the tasks' push texts
import hub.tasks.today  # noqa: F401 - registers the tasks' section of Today
from hub.errors import Refused
from hub.media.images import (
    MAX_UPLOAD_BYTES,
    StoredImage,
    is_stored_name,
    store_uploads,
    stored_path,
    thumb_of,
)
from hub.media.serving import photo_response
from hub.tasks import actions, queries
from hub.tasks.actions import MAX_PHOTOS, MoveNotAllowed, NewReport
from hub.tasks.workflow import (
    CATEGORIES,
    MOVE_LABELS,
    MOVES,
    PLACES,
    PRIORITIES,
    Status,
    actors,
    moves_for,
)
from hub.web.forms import Form, device_time, read_form, read_uploads, uuid_text
from hub.web.i18n import _
from hub.web.pages import page, safe_next, see_other
from hub.web.policy import Access, requires, user_id_of, viewer_of

# Six photos of up to 10 MB each, and the text fields of the form around them.
UPLOAD_BODY_LIMIT = MAX_PHOTOS * MAX_UPLOAD_BYTES + 1024 * 1024


def _choices() -> dict[str, Any]:
    return {
        "places": PLACES,
        "categories": CATEGORIES,
        "priorities": PRIORITIES,
        "statuses": list(Status),
        "move_labels": MOVE_LABELS,
    }


def _timezone(request: HTMXRequest, building_id: int) -> str:
    place = viewer_of(request).places.get(building_id)
    return place.timezone if place else "Asia/Shanghai"


async def _photos(request: HTMXRequest, form: Form) -> list[StoredImage]:
    """The photos of a form: those kept from an earlier try (hidden fields) and the new files,
    six at most. A refused file is named in the form's "photos" error; the good ones are kept
    so the person need not choose them again."""
    kept: list[StoredImage] = []
    for name in form.data.get("kept_photos", [])[:MAX_PHOTOS]:
        if is_stored_name(name) and stored_path(name):
            kept.append(StoredImage(file=name, thumb=thumb_of(name), width=0, height=0))
    uploads = await read_uploads(request, "photos")
    room = MAX_PHOTOS - len(kept)
    stored, refusals = await store_uploads(uploads[: max(room, 0)])
    if len(uploads) > room:
        refusals.append(_("Please add at most 6 photos."))
    if refusals:
        form.error("photos", " ".join(refusals))
    photos = kept + stored
    form.values["kept_photos"] = [photo.file for photo in photos]
    return photos


# The board and my tasks -----------------------------------------------------------------------


def _board_filter(request: HTMXRequest) -> queries.BoardFilter:
    params = request.query_params
    page_number = params.get("page", "1")
    return queries.BoardFilter(
        category=params.get("category") if params.get("category") in CATEGORIES else "",
        priority=params.get("priority") if params.get("priority") in PRIORITIES else "",
        overdue=params.get("overdue") == "1",
        closed=params.get("closed") == "1",
        page=int(page_number) if page_number.isdigit() and len(page_number) < 6 else 1,
    )


@get("/b/{building_id:int}/tasks", guards=[requires(Access.RESIDENT)])
async def board_page(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    filters = _board_filter(request)
    timezone = _timezone(request, building_id)
    board = await queries.board(building_id, filters, queries.today_in(timezone))
    template = "tasks/board.html"
    if request.htmx and request.htmx.target == "board" and not request.htmx.history_restore_request:
        template = "tasks/_board.html"
    return page(
        template,
        building_id=building_id,
        board=board,
        filters=filters,
        timezone=timezone,
        **_choices(),
    )


@get("/b/{building_id:int}/tasks/mine", guards=[requires(Access.RESIDENT)])
async def mine_page(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    timezone = _timezone(request, building_id)
    lists = await queries.mine(building_id, user_id_of(request), queries.today_in(timezone))
    return page(
        "tasks/mine.html", building_id=building_id, lists=lists, timezone=timezone, **_choices()
    )


# Reporting ------------------------------------------------------------------------------------


def _report_page(building_id: int, *, status: int = 200, **context: Any) -> Template:
    context.setdefault("values", {})
    context.setdefault("errors", {})
    context.setdefault("similar", [])
    return page(
        "tasks/report.html",
        status=status,
        building_id=building_id,
        new_uuid=str(uuid.uuid4()),
        **context,
        **_choices(),
    )


@get("/b/{building_id:int}/tasks/new", guards=[requires(Access.RESIDENT)])
async def report_page(building_id: FromPath[int]) -> Template:
    return _report_page(building_id)


async def _replayed(
    request: HTMXRequest, building_id: int, client_uuid: str | None
) -> Redirect | None:
    """A report the phone already sent (its offline queue replays, a double tap): back to its
    task, without storing its photos again."""
    if not client_uuid:
        return None
    reported = await actions.reported_before(user_id_of(request), building_id, client_uuid)
    return see_other(f"/b/{building_id}/tasks/{reported}") if reported is not None else None


@post(
    "/b/{building_id:int}/tasks/new",
    guards=[requires(Access.RESIDENT)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def report_submit(request: HTMXRequest, building_id: FromPath[int]) -> Template | Redirect:
    form = Form(await read_form(request))
    client_uuid = uuid_text(form.raw("client_uuid"))
    if replayed := await _replayed(request, building_id, client_uuid):
        return replayed
    title = form.text("title", max_length=120)
    place_kind = form.choice("place_kind", PLACES)
    place = form.text("place", required=False, max_length=120)
    category = form.choice("category", CATEGORIES)
    description = form.text("description", required=False, max_length=2000, multiline=True)
    photos = await _photos(request, form)
    if form.ok and not form.flag("confirmed_new"):
        similar = await queries.similar_open(
            building_id, place_kind, f"{title} {place} {description}"
        )
        if similar:
            # The same report sent twice at once may have been stored since the check above.
            if replayed := await _replayed(request, building_id, client_uuid):
                return replayed
            # Before saving: "is it one of these?" The form stays filled, photos included.
            form.values["confirmed_new"] = "1"
            return _report_page(
                building_id,
                values=form.values,
                errors={},
                similar=similar,
                timezone=_timezone(request, building_id),
            )
    if form.ok:
        try:
            task_id = await actions.do_report(
                user_id_of(request),
                building_id,
                NewReport(
                    title=title,
                    description=description,
                    place_kind=place_kind,
                    place=place,
                    category=category,
                    client_uuid=client_uuid,
                    device_time=device_time(form.raw("device_time")),
                ),
                photos,
            )
        except Refused as refused:
            form.error(refused.field or "title", refused.message)
        else:
            return see_other(f"/b/{building_id}/tasks/{task_id}")
    return _report_page(
        building_id, status=HTTP_422_UNPROCESSABLE_ENTITY, values=form.values, errors=form.errors
    )


# One task -------------------------------------------------------------------------------------


async def _task_page(
    request: HTMXRequest,
    building_id: int,
    task_id: int,
    *,
    status: int = 200,
    form: Form | None = None,
    form_name: str = "",
) -> Template:
    viewer = viewer_of(request)
    task = await queries.task_page(building_id, task_id, user_id_of(request))
    if task is None:
        raise NotFoundException
    role = viewer.role_in(building_id)
    who = actors(
        role, is_reporter=task["reporter"] == viewer.user_id, is_assignee=task["is_assignee"]
    )
    moves = [move for move in moves_for(task["status"], who) if move.on_task_page]
    return page(
        "tasks/task.html",
        status=status,
        building_id=building_id,
        task=task,
        moves=moves,
        may_assign=MOVES["assign"].actors & who and task["status"] in MOVES["assign"].sources,
        is_leader="leader" in who,
        timezone=_timezone(request, building_id),
        form_name=form_name,
        values=form.values if form else {},
        errors=form.errors if form else {},
        **_choices(),
    )


@get("/b/{building_id:int}/tasks/{task_id:int}", guards=[requires(Access.RESIDENT)])
async def task_page(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template:
    return await _task_page(request, building_id, task_id)


async def _exists_or_404(building_id: int, task_id: int) -> None:
    if await queries.task(building_id, task_id) is None:
        raise NotFoundException


@post("/b/{building_id:int}/tasks/{task_id:int}/status", guards=[requires(Access.RESIDENT)])
async def task_move(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    move = form.choice("move", [key for key, move in MOVES.items() if move.on_task_page])
    reason = form.text("reason", required=False, max_length=1000, multiline=True)
    back = safe_next(form.raw("next"), f"/b/{building_id}/tasks/{task_id}")
    status = HTTP_422_UNPROCESSABLE_ENTITY
    if form.ok:
        try:
            await actions.do_move(
                user_id_of(request),
                viewer_of(request).role_in(building_id),
                building_id,
                task_id,
                move,
                reason,
            )
        except MoveNotAllowed as error:
            raise PermissionDeniedException from error
        except Refused as refused:
            if refused.field is None:
                status = HTTP_409_CONFLICT  # the task moved on meanwhile
            form.error(refused.field or "move", refused.message)
        else:
            return see_other(back)
    return await _task_page(
        request, building_id, task_id, status=status, form=form, form_name=f"move-{move}"
    )


@post(
    "/b/{building_id:int}/tasks/{task_id:int}/comments",
    guards=[requires(Access.RESIDENT)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def task_comment(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    text = form.text("text", required=False, max_length=2000, multiline=True)
    photos = await _photos(request, form)
    if form.ok:
        try:
            await actions.do_comment(user_id_of(request), building_id, task_id, text, photos)
        except Refused as refused:
            form.error(refused.field or "text", refused.message)
        else:
            return see_other(f"/b/{building_id}/tasks/{task_id}#comment-form")
    return await _task_page(
        request,
        building_id,
        task_id,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        form=form,
        form_name="comment",
    )


@post("/b/{building_id:int}/tasks/{task_id:int}/follow", guards=[requires(Access.RESIDENT)])
async def task_follow(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Redirect:
    await _exists_or_404(building_id, task_id)
    await actions.do_follow(user_id_of(request), building_id, task_id)
    return see_other(f"/b/{building_id}/tasks/{task_id}")


@post("/b/{building_id:int}/tasks/{task_id:int}/plan", guards=[requires(Access.LEADER)])
async def task_plan(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    priority = form.choice("priority", PRIORITIES)
    raw_due = form.text("due_on", required=False, max_length=10)
    due_on: date | None = None
    if raw_due:
        try:
            due_on = date.fromisoformat(raw_due)
        except ValueError:
            form.error("due_on", _("Please give a date such as 2026-12-31."))
    if form.ok:
        await actions.do_plan(
            user_id_of(request), building_id, task_id, priority=priority, due_on=due_on
        )
        return see_other(f"/b/{building_id}/tasks/{task_id}")
    return await _task_page(
        request,
        building_id,
        task_id,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        form=form,
        form_name="plan",
    )


# Assigning ------------------------------------------------------------------------------------


async def _assign_page(
    request: HTMXRequest, building_id: int, task_id: int, *, status: int = 200, error: str = ""
) -> Template:
    task = await queries.task_page(building_id, task_id, user_id_of(request))
    if task is None:
        raise NotFoundException
    people = await queries.assign_candidates(building_id, task["category"])
    assigned = {row["user_id"] for row in task["assignees"]}
    return page(
        "tasks/assign.html",
        status=status,
        building_id=building_id,
        task=task,
        people=people,
        assigned=assigned,
        error=error,
        **_choices(),
    )


@get("/b/{building_id:int}/tasks/{task_id:int}/assign", guards=[requires(Access.LEADER)])
async def assign_page(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template:
    return await _assign_page(request, building_id, task_id)


@post("/b/{building_id:int}/tasks/{task_id:int}/assign", guards=[requires(Access.LEADER)])
async def assign_submit(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    picked = [
        int(value) for value in form.data.get("people", []) if value.isdigit() and len(value) < 12
    ]
    try:
        await actions.do_assign(user_id_of(request), building_id, task_id, picked)
    except Refused as refused:
        return await _assign_page(
            request, building_id, task_id, status=HTTP_409_CONFLICT, error=refused.message
        )
    return see_other(f"/b/{building_id}/tasks/{task_id}")


# Photos ---------------------------------------------------------------------------------------


async def _photo(building_id: int, photo_id: int, *, thumb: bool) -> Response[Any]:
    return photo_response(await queries.photo_file(building_id, photo_id), thumb=thumb)


@get("/b/{building_id:int}/tasks/photos/{photo_id:int}", guards=[requires(Access.RESIDENT)])
async def photo(building_id: FromPath[int], photo_id: FromPath[int]) -> Response[Any]:
    return await _photo(building_id, photo_id, thumb=False)


@get("/b/{building_id:int}/tasks/photos/{photo_id:int}/thumb", guards=[requires(Access.RESIDENT)])
async def photo_thumb(building_id: FromPath[int], photo_id: FromPath[int]) -> Response[Any]:
    return await _photo(building_id, photo_id, thumb=True)


router = Router(
    path="/",
    route_handlers=[
        board_page,
        mine_page,
        report_page,
        report_submit,
        task_page,
        task_move,
        task_comment,
        task_follow,
        task_plan,
        assign_page,
        assign_submit,
        photo,
        photo_thumb,
    ],
)
