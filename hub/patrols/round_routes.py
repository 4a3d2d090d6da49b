"""Rounds as they are walked: starting and finishing one, check-ins (from the round page or a
checkpoint poster's URL, `/c/{token}`), their notes, photos and observations, and the repair task
a leader makes of an observation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from hub.community.viewer import Place
from hub.errors import INVALID, Refused
from hub.forms import Form, uuid_text
from hub.i18n import _
from hub.media.images import MAX_UPLOAD_BYTES, StoredImage, discard_stored, store_uploads
from hub.media.serving import photo_response
from hub.patrols import actions, forms, observations, queries
from hub.urls import url
from hub.web.forms import read_form, read_uploads
from hub.web.offline import is_replay
from hub.web.pages import page, see_other, tell
from hub.web.policy import Access, allowed, requires, viewer_of

# One photo of up to 10 MB, and the few text fields of a check-in around it.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 256 * 1024


async def _round_or_404(place: Place, user_id: int, round_id: int) -> dict[str, Any]:
    walk = await queries.round_page(place.building_id, round_id)
    mine = walk is not None and walk["user"] == user_id
    if walk is None or not (mine or place.can("patrols.review")):
        raise NotFoundException
    walk["mine"] = mine
    return walk


def _summary(walk: dict[str, Any], seen: dict[int, list[dict[str, Any]]]) -> dict[str, int]:
    """What a finished round did, for its summary: the counts of its visits' extras."""
    visits = [row["check_in"] for row in walk["checkpoints"] if row["check_in"]]
    walked = [visit for visit in visits if not visit["skipped"]]
    return {
        "skipped": len(visits) - len(walked),
        "notes": sum(1 for visit in walked if visit["note"]),
        "photos": sum(len(visit["photos"]) for visit in walked),
        "observations": sum(len(seen.get(visit["id"], [])) for visit in walked),
    }


async def _render_round(place: Place, user_id: int, round_id: int) -> Template:
    walk = await _round_or_404(place, user_id, round_id)
    seen = await observations.of_round(round_id)
    return page(
        "patrols/round.html",
        observations=seen,
        summary=_summary(walk, seen),
        kinds=observations.KINDS,
        severities=observations.SEVERITIES,
        building_id=place.building_id,
        walk=walk,
        timezone=place.timezone,
        new_uuid=lambda: str(uuid.uuid4()),
        max_photos=actions.MAX_PHOTOS_PER_CHECK_IN,
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


async def _round_refused(
    request: HTMXRequest, place: Place, user_id: int, round_id: int, message: str
) -> Template | Redirect:
    """Back to the round, with why something was refused said there; to the offline queue's
    replay, its refusal."""
    if is_replay(request):
        raise Refused(message, code=INVALID)
    tell(request, message, "error")
    return see_other(url("patrols.round", building_id=place.building_id, round_id=round_id))


async def _after_check_in(
    request: HTMXRequest, place: Place, user_id: int, round_id: int, refusal: str
) -> Template | Redirect:
    """Back to the round; a refused photo is said there, the check-in itself being kept."""
    if refusal:
        return await _round_refused(
            request,
            place,
            user_id,
            round_id,
            _("The check-in is saved, but not the photo: %(reason)s", reason=refusal),
        )
    return see_other(url("patrols.round", building_id=place.building_id, round_id=round_id))


async def _check_in_photo(
    request: HTMXRequest, place: Place, user_id: int, photo_id: int, *, thumb: bool
) -> Response[Any]:
    """Served to the volunteer whose round it was taken on and to the building's leaders."""
    found = await queries.photo_file(place.building_id, photo_id)
    allowed = found is not None and (found["volunteer"] == user_id or place.can("patrols.review"))
    return await photo_response(
        found["file"] if found and allowed else None, thumb=thumb, query=request.query_params
    )


class RoundController(Controller):
    """What a volunteer does on a round; a round is seen by its volunteer and the reviewers."""

    path = "/"
    guards = (allowed("patrols.walk"),)

    @post("/b/{building_id:int}/routes/{route_id:int}/rounds", name="patrols.round_start")
    async def round_start(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        route_id: FromPath[int],
        user_id: NamedDependency[int],
    ) -> Redirect:
        form = Form(await read_form(request))
        shift_id = form.integer("shift_id") if form.raw("shift_id") else None
        round_id = await actions.do_start_round(user_id, building_id, route_id, shift_id=shift_id)
        return see_other(url("patrols.round", building_id=building_id, round_id=round_id))

    @get(
        "/b/{building_id:int}/rounds/{round_id:int}",
        opt={"kept_offline": True},
        name="patrols.round",
    )
    async def round_page(
        self,
        round_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template:
        return await _render_round(place, user_id, round_id)

    @post("/b/{building_id:int}/rounds/{round_id:int}/finish", name="patrols.round_finish")
    async def round_finish(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        round_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        reasons = forms.skip_reasons(Form(await read_form(request)))
        try:
            await actions.do_finish_round(user_id, building_id, round_id, reasons)
        except Refused as refused:
            return await _round_refused(request, place, user_id, round_id, refused.message)
        tell(request, _("Your round is finished. Thank you!"))
        return see_other(url("patrols.round", building_id=building_id, round_id=round_id))

    @post(
        "/b/{building_id:int}/checkins",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        opt={"queueable": "check-in"},
        name="patrols.check_in",
    )
    async def check_in(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        """The one idempotent way in for check-ins: the client's UUID is recorded once."""
        form = Form(await read_form(request))
        checkpoint_id = form.integer("checkpoint_id")
        if checkpoint_id is None:
            raise Refused(_("This check-in could not be read. Please try again."))
        async with _uploaded_photo(request) as (photo, refusal):
            round_id, _check_in_id = await actions.do_check_in(
                user_id,
                building_id,
                checkpoint_id,
                forms.check_in_input(form, manual=form.flag("manual"), photo=photo),
            )
        return await _after_check_in(request, place, user_id, round_id, refusal)

    @post(
        "/b/{building_id:int}/checkins/{check_in_id:int}/note",
        opt={"queueable": "note"},
        name="patrols.check_in_note",
    )
    async def check_in_note(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        check_in_id: FromPath[int],
        user_id: NamedDependency[int],
    ) -> Redirect:
        form = Form(await read_form(request))
        note = form.text("note", max_length=forms.NOTE_LENGTH, multiline=True)
        if not form.ok:
            raise Refused(form.errors["note"], "note")
        await actions.do_add_note(user_id, building_id, check_in_id, note)
        tell(request, _("The note is saved."))
        round_id = form.integer("round_id")
        if round_id is None:
            return see_other(url("patrols.patrols_home", building_id=building_id))
        return see_other(url("patrols.round", building_id=building_id, round_id=round_id))

    @post(
        "/b/{building_id:int}/checkins/{check_in_id:int}/photos",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        opt={"queueable": "photo"},
        name="patrols.check_in_photo",
    )
    async def check_in_photo(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        check_in_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        round_id = form.integer("round_id")
        if round_id is None:
            raise Refused(_("This check-in could not be read. Please try again."))
        async with _uploaded_photo(request) as (photo, refusal):
            if photo is None:
                error = refusal or _("Please choose a photo.")
                return await _round_refused(request, place, user_id, round_id, error)
            try:
                await actions.do_add_photo(
                    user_id,
                    building_id,
                    check_in_id,
                    photo,
                    uuid_text(form.raw("client_uuid")),
                )
            except Refused as refused:
                return await _round_refused(request, place, user_id, round_id, refused.message)
        tell(request, _("The photo is added."))
        return see_other(url("patrols.round", building_id=building_id, round_id=round_id))

    @get(
        "/b/{building_id:int}/checkins/photos/{check_in_photo_id:int}",
        name="patrols.check_in_photo_file",
    )
    async def check_in_photo_file(
        self,
        request: HTMXRequest,
        check_in_photo_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Response[Any]:
        return await _check_in_photo(request, place, user_id, check_in_photo_id, thumb=False)

    @get(
        "/b/{building_id:int}/checkins/photos/{check_in_photo_id:int}/thumb",
        name="patrols.check_in_photo_thumb",
    )
    async def check_in_photo_thumb(
        self,
        request: HTMXRequest,
        check_in_photo_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Response[Any]:
        return await _check_in_photo(request, place, user_id, check_in_photo_id, thumb=True)

    @post(
        "/b/{building_id:int}/checkins/{check_in_id:int}/observations",
        name="patrols.check_in_observe",
    )
    async def check_in_observe(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        check_in_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        kind = form.choice("kind", observations.KINDS)
        severity = form.choice("severity", observations.SEVERITIES)
        note = form.text("note", max_length=forms.NOTE_LENGTH, multiline=True)
        round_id = form.integer("round_id")
        if round_id is None:
            raise Refused(_("This check-in could not be read. Please try again."))
        if not form.ok:
            message = next(iter(form.errors.values()))
            return await _round_refused(request, place, user_id, round_id, message)
        await observations.do_observe(
            user_id, building_id, check_in_id, kind=kind, severity=severity, note=note
        )
        tell(request, _("Thank you: the building's leaders are told what you saw."))
        return see_other(url("patrols.round", building_id=building_id, round_id=round_id))


@post(
    "/b/{building_id:int}/observations/{observation_id:int}/task",
    guards=[allowed("patrols.review")],
    name="patrols.observation_to_task",
)
async def observation_to_task(
    request: HTMXRequest,
    building_id: FromPath[int],
    observation_id: FromPath[int],
    user_id: NamedDependency[int],
) -> Redirect:
    task_id = await observations.do_make_task(user_id, building_id, observation_id)
    tell(request, _("The repair task is made. Whoever saw it hears when it is fixed."))
    return see_other(url("tasks.task", building_id=building_id, task_id=task_id))


# The checkpoint poster's URL --------------------------------------------------------------------


async def _poster_target(token: str) -> dict[str, Any]:
    checkpoint = await queries.checkpoint_by_token(token)
    if checkpoint is None or checkpoint["retired_at"] or checkpoint["route_retired_at"]:
        raise Refused(
            _("This poster no longer works. Please tell your leader, and use the round page.")
        )
    return checkpoint


@get(
    "/c/{poster:str}",
    guards=[requires(Access.PUBLIC)],
    opt={"kept_offline": True},
    name="patrols.poster",
)
async def poster_page(request: HTMXRequest, poster: FromPath[str]) -> Template:
    """What a phone camera opens. It changes nothing (chat apps open links for previews)."""
    checkpoint = await _poster_target(poster)
    viewer = viewer_of(request)
    may_patrol = viewer.can("patrols.walk", checkpoint["building_id"])
    running = None
    if viewer.user_id is not None and may_patrol:
        running = await queries.running_round(viewer.user_id, checkpoint["route_id"])
    return page(
        "patrols/checkpoint.html",
        checkpoint=checkpoint,
        poster=poster,
        signed_in=viewer.signed_in,
        may_patrol=may_patrol,
        running=running,
        new_uuid=str(uuid.uuid4()),
    )


@post(
    "/c/{poster:str}",
    guards=[requires(Access.SIGNED_IN)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
    opt={"queueable": "check-in"},
    name="patrols.poster_check_in",
)
async def poster_check_in(
    request: HTMXRequest, poster: FromPath[str], user_id: NamedDependency[int]
) -> Template | Redirect:
    """A check-in from the poster: the route's building is the poster's, not in the path, so
    the place is looked up here once the poster is known."""
    checkpoint = await _poster_target(poster)
    place = viewer_of(request).places.get(checkpoint["building_id"])
    if place is None or not place.can("patrols.walk"):
        raise Refused(_("Only the building's volunteers check in at its checkpoints."))
    form = Form(await read_form(request))
    building_id = checkpoint["building_id"]
    if form.raw("start") == "1":
        await actions.do_start_round(user_id, building_id, checkpoint["route_id"], shift_id=None)
    async with _uploaded_photo(request) as (photo, refusal):
        round_id, _check_in_id = await actions.do_check_in(
            user_id,
            building_id,
            checkpoint["id"],
            forms.check_in_input(form, manual=False, photo=photo),
        )
    return await _after_check_in(request, place, user_id, round_id, refusal)


router = Router(
    path="/",
    route_handlers=[RoundController, observation_to_task, poster_page, poster_check_in],
)
