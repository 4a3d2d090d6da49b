"""Repair tasks: report, the building's board, my tasks, a task's page, moves, comments,
planning and assigning, and the photos (served only to the building's members)."""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from hub import clock
from hub.community.viewer import Place
from hub.errors import INVALID, Refused
from hub.forms import Form, whole_number
from hub.i18n import _
from hub.media.images import MAX_UPLOAD_BYTES, StoredImage, kept_image, store_uploads
from hub.media.serving import photo_response
from hub.tasks import actions, forms, queries
from hub.tasks.actions import MAX_PHOTOS, MoveNotAllowed
from hub.tasks.workflow import (
    CATEGORIES,
    MOVE_LABELS,
    MOVES,
    PLACES,
    PRIORITIES,
    Status,
    actors,
    may,
    moves_for,
)
from hub.urls import url
from hub.web.forms import read_form, read_uploads
from hub.web.offline import is_replay
from hub.web.pages import page, safe_next, see_other
from hub.web.policy import allowed

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


async def _photos(request: HTMXRequest, form: Form) -> list[StoredImage]:
    """The photos of a form: those kept from an earlier try (hidden fields) and the new files,
    six at most. A refused file is named in the form's "photos" error; the good ones are kept
    so the person need not choose them again."""
    kept: list[StoredImage] = []
    for name in form.data.get("kept_photos", [])[:MAX_PHOTOS]:
        if (image := await anyio.to_thread.run_sync(kept_image, name)) is not None:
            kept.append(image)
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
        page=whole_number(page_number, 99_999) or 1,
    )


@get("/b/{building_id:int}/tasks", guards=[allowed("tasks.report")], name="tasks.board")
async def board_page(
    request: HTMXRequest, building_id: FromPath[int], timezone: NamedDependency[str]
) -> Template:
    filters = _board_filter(request)
    board = await queries.board(building_id, filters, clock.local_today(timezone))
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


@get("/b/{building_id:int}/tasks/mine", guards=[allowed("tasks.report")], name="tasks.mine")
async def mine_page(
    building_id: FromPath[int], user_id: NamedDependency[int], timezone: NamedDependency[str]
) -> Template:
    lists = await queries.mine(building_id, user_id, clock.local_today(timezone))
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
        at=url("tasks.report", building_id=building_id),
        building_id=building_id,
        new_uuid=str(uuid.uuid4()),
        **context,
        **_choices(),
    )


@get(
    "/b/{building_id:int}/tasks/new",
    guards=[allowed("tasks.report")],
    opt={"kept_offline": True},
    name="tasks.report",
)
async def report_page(building_id: FromPath[int]) -> Template:
    return _report_page(building_id)


async def _replayed(user_id: int, building_id: int, client_uuid: str | None) -> Redirect | None:
    """A report the phone already sent (its offline queue replays, a double tap): back to its
    task, without storing its photos again."""
    if not client_uuid:
        return None
    reported = await actions.reported_before(user_id, building_id, client_uuid)
    return (
        see_other(url("tasks.task", building_id=building_id, task_id=reported))
        if reported is not None
        else None
    )


@post(
    "/b/{building_id:int}/tasks/new",
    guards=[allowed("tasks.report")],
    request_max_body_size=UPLOAD_BODY_LIMIT,
    opt={"queueable": "report"},
    name="tasks.report_submit",
)
async def report_submit(
    request: HTMXRequest,
    building_id: FromPath[int],
    user_id: NamedDependency[int],
    timezone: NamedDependency[str],
) -> Template | Redirect:
    form = Form(await read_form(request))
    client_uuid = forms.client_uuid(form)
    if replayed := await _replayed(user_id, building_id, client_uuid):
        return replayed
    report = forms.new_report(form)
    photos = await _photos(request, form)
    if form.ok:
        try:
            task_id = await actions.do_report(
                user_id,
                building_id,
                report,
                photos,
                ask_if_similar=not form.flag("confirmed_new"),
            )
        except actions.LooksReported as looks:
            # The same report sent twice at once may have been stored since the check above.
            if replayed := await _replayed(user_id, building_id, client_uuid):
                return replayed
            # Before saving: "is it one of these?" The form stays filled, photos included.
            form.values["confirmed_new"] = "1"
            return _report_page(
                building_id,
                values=form.values,
                errors={},
                similar=looks.similar,
                timezone=timezone,
            )
        except Refused as refused:
            form.error(refused.field or "title", refused.message)
        else:
            return see_other(url("tasks.task", building_id=building_id, task_id=task_id))
    if is_replay(request):
        raise Refused(" ".join(form.errors.values()), code=INVALID)
    return _report_page(
        building_id, status=HTTP_422_UNPROCESSABLE_ENTITY, values=form.values, errors=form.errors
    )


# One task -------------------------------------------------------------------------------------


async def _task_page(
    place: Place,
    user_id: int,
    task_id: int,
    *,
    status: int = 200,
    form: Form | None = None,
    form_name: str = "",
) -> Template:
    building_id = place.building_id
    task = await queries.task_page(building_id, task_id, user_id)
    if task is None:
        raise NotFoundException
    who = actors(
        place.grants,
        is_reporter=task["reporter"] == user_id,
        is_assignee=task["is_assignee"],
    )
    moves = [move for move in moves_for(task["status"], who) if move.on_task_page]
    return page(
        "tasks/task.html",
        status=status,
        at=url("tasks.task", building_id=building_id, task_id=task_id),
        building_id=building_id,
        task=task,
        moves=moves,
        may_assign=may(MOVES["assign"], task["status"], who),
        is_leader="leader" in who,
        timezone=place.timezone,
        form_name=form_name,
        values=form.values if form else {},
        errors=form.errors if form else {},
        **_choices(),
    )


@get(
    "/b/{building_id:int}/tasks/{task_id:int}", guards=[allowed("tasks.report")], name="tasks.task"
)
async def task_page(
    task_id: FromPath[int], place: NamedDependency[Place], user_id: NamedDependency[int]
) -> Template:
    return await _task_page(place, user_id, task_id)


async def _exists_or_404(building_id: int, task_id: int) -> None:
    if await queries.task(building_id, task_id) is None:
        raise NotFoundException


@post(
    "/b/{building_id:int}/tasks/{task_id:int}/status",
    guards=[allowed("tasks.report")],
    name="tasks.task_move",
)
async def task_move(
    request: HTMXRequest,
    building_id: FromPath[int],
    task_id: FromPath[int],
    place: NamedDependency[Place],
    user_id: NamedDependency[int],
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    move = form.choice("move", [key for key, move in MOVES.items() if move.on_task_page])
    reason = form.text("reason", required=False, max_length=1000, multiline=True)
    back = safe_next(form.raw("next"), url("tasks.task", building_id=building_id, task_id=task_id))
    status = HTTP_422_UNPROCESSABLE_ENTITY
    if form.ok:
        try:
            await actions.do_move(
                user_id,
                building_id,
                task_id,
                move,
                reason,
                grants=place.grants,
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
        place, user_id, task_id, status=status, form=form, form_name=f"move-{move}"
    )


@post(
    "/b/{building_id:int}/tasks/{task_id:int}/comments",
    guards=[allowed("tasks.report")],
    request_max_body_size=UPLOAD_BODY_LIMIT,
    name="tasks.task_comment",
)
async def task_comment(
    request: HTMXRequest,
    building_id: FromPath[int],
    task_id: FromPath[int],
    place: NamedDependency[Place],
    user_id: NamedDependency[int],
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    text = form.text("text", required=False, max_length=2000, multiline=True)
    photos = await _photos(request, form)
    if form.ok:
        try:
            await actions.do_comment(user_id, building_id, task_id, text, photos)
        except Refused as refused:
            form.error(refused.field or "text", refused.message)
        else:
            return see_other(
                url("tasks.task", building_id=building_id, task_id=task_id) + "#comment-form"
            )
    return await _task_page(
        place,
        user_id,
        task_id,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        form=form,
        form_name="comment",
    )


@post(
    "/b/{building_id:int}/tasks/{task_id:int}/follow",
    guards=[allowed("tasks.report")],
    name="tasks.task_follow",
)
async def task_follow(
    building_id: FromPath[int], task_id: FromPath[int], user_id: NamedDependency[int]
) -> Redirect:
    await _exists_or_404(building_id, task_id)
    await actions.do_follow(user_id, building_id, task_id)
    return see_other(url("tasks.task", building_id=building_id, task_id=task_id))


@post(
    "/b/{building_id:int}/tasks/{task_id:int}/plan",
    guards=[allowed("tasks.assign")],
    name="tasks.task_plan",
)
async def task_plan(
    request: HTMXRequest,
    building_id: FromPath[int],
    task_id: FromPath[int],
    place: NamedDependency[Place],
    user_id: NamedDependency[int],
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    form = Form(await read_form(request))
    priority, due_on = forms.plan(form)
    if form.ok:
        await actions.do_plan(user_id, building_id, task_id, priority=priority, due_on=due_on)
        return see_other(url("tasks.task", building_id=building_id, task_id=task_id))
    return await _task_page(
        place,
        user_id,
        task_id,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        form=form,
        form_name="plan",
    )


# Assigning ------------------------------------------------------------------------------------


async def _assign_page(
    request: HTMXRequest, building_id: int, task_id: int, *, status: int = 200, error: str = ""
) -> Template:
    task = await queries.task_with_assignees(building_id, task_id)
    if task is None:
        raise NotFoundException
    people = await queries.assign_candidates(building_id, task["category"])
    assigned = {row["user_id"] for row in task["assignees"]}
    return page(
        "tasks/assign.html",
        status=status,
        at=url("tasks.assign", building_id=building_id, task_id=task_id),
        building_id=building_id,
        task=task,
        people=people,
        assigned=assigned,
        error=error,
        **_choices(),
    )


@get(
    "/b/{building_id:int}/tasks/{task_id:int}/assign",
    guards=[allowed("tasks.assign")],
    name="tasks.assign",
)
async def assign_page(
    request: HTMXRequest, building_id: FromPath[int], task_id: FromPath[int]
) -> Template:
    return await _assign_page(request, building_id, task_id)


@post(
    "/b/{building_id:int}/tasks/{task_id:int}/assign",
    guards=[allowed("tasks.assign")],
    name="tasks.assign_submit",
)
async def assign_submit(
    request: HTMXRequest,
    building_id: FromPath[int],
    task_id: FromPath[int],
    user_id: NamedDependency[int],
) -> Template | Redirect:
    await _exists_or_404(building_id, task_id)
    picked = forms.people(Form(await read_form(request)))
    try:
        await actions.do_assign(user_id, building_id, task_id, picked)
    except Refused as refused:
        return await _assign_page(
            request, building_id, task_id, status=HTTP_409_CONFLICT, error=refused.message
        )
    return see_other(url("tasks.task", building_id=building_id, task_id=task_id))


# Photos ---------------------------------------------------------------------------------------


@get(
    "/b/{building_id:int}/tasks/photos/{photo_id:int}",
    guards=[allowed("tasks.report")],
    name="tasks.photo",
)
async def photo(
    request: HTMXRequest, building_id: FromPath[int], photo_id: FromPath[int]
) -> Response[Any]:
    """The photo as downloaded, or the size and format that ?size= and ?format= ask for."""
    file = await queries.photo_file(building_id, photo_id)
    return await photo_response(file, query=request.query_params)


@get(
    "/b/{building_id:int}/tasks/photos/{photo_id:int}/thumb",
    guards=[allowed("tasks.report")],
    name="tasks.photo_thumb",
)
async def photo_thumb(building_id: FromPath[int], photo_id: FromPath[int]) -> Response[Any]:
    return await photo_response(await queries.photo_file(building_id, photo_id), thumb=True)


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
