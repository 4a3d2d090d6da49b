"""Events: the lists and the event page with its answers for residents, and for those who
manage events, the form, cancelling, the list of people, attendance and its CSV."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template

from hub.community.viewer import Place
from hub.errors import Refused
from hub.events import actions, forms, queries
from hub.events.calendar import event_entry
from hub.forms import Form, whole_number
from hub.i18n import _
from hub.media.images import MAX_UPLOAD_BYTES, kept_image, store_uploads
from hub.media.serving import photo_response
from hub.urls import url
from hub.web.calendar_feed import calendar
from hub.web.exports import csv_response, ics_response
from hub.web.forms import read_form, read_uploads
from hub.web.pages import form_page, page, see_other
from hub.web.policy import allowed

LISTS = ("upcoming", "past", "mine")
# One cover photo of up to 10 MB, and the text fields of the form around it.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024


def may_manage(place: Place, community_wide: bool) -> None:
    """Leaders manage their building's events and notices, and their residents' answers to
    them; community-wide ones, whose answers come from every building, are the admins'."""
    if community_wide and not place.can("events.community_wide"):
        raise PermissionDeniedException


async def photo_field(request: HTMXRequest, form: Form, current: str, field: str = "cover") -> str:
    """The photo of `field`: a new one if one was sent and is good, else the one kept from an
    earlier try or the current one, unless "remove_<field>" is ticked."""
    kept = form.raw(f"kept_{field}")
    photo = kept if kept and await anyio.to_thread.run_sync(kept_image, kept) else current
    if form.flag(f"remove_{field}"):
        photo = ""
    uploads = await read_uploads(request, field)
    if uploads:
        stored, refusals = await store_uploads(uploads[:1])
        if refusals:
            form.error(field, " ".join(refusals))
        if stored:
            photo = stored[0].file
    form.values[f"kept_{field}"] = photo
    return photo


async def photo_file(request: HTMXRequest, name: str) -> File:
    """A stored photo as an inline file, in the size and format of ?size= and ?format=."""
    return await photo_response(name, query=request.query_params)


async def _event_or_404(place: Place, user_id: int, event_id: int) -> dict[str, Any]:
    event = await queries.event(place.building_id, place.community_id, event_id, user_id)
    if event is None:
        raise NotFoundException
    event["open"] = actions.answer_open(event)
    return event


async def _answer_response(
    request: HTMXRequest,
    place: Place,
    user_id: int,
    event_id: int,
    guests: int,
    error: str = "",
) -> Template | Redirect:
    building_id = place.building_id
    if request.htmx and request.htmx.target == f"answer-{event_id}":
        event = await _event_or_404(place, user_id, event_id)
        return page(
            "events/_answer.html",
            status=409 if error else 200,
            place=place,
            event=event,
            guests=guests,
            error=error,
        )
    if error:
        event = await _event_or_404(place, user_id, event_id)
        return page(
            "events/event.html",
            status=409,
            at=url("events.event", building_id=building_id, event_id=event_id),
            place=place,
            event=event,
            guests=guests,
            error=error,
        )
    suffix = f"?guests={guests}" if guests else ""
    return see_other(url("events.event", building_id=building_id, event_id=event_id) + suffix)


def _event_values(event: dict[str, Any], timezone: str) -> dict[str, Any]:
    return {
        "title": event["title"],
        "description": event["description"],
        "place": event["place"],
        "starts_at": forms.local_input(event["starts_at"], timezone),
        "ends_at": forms.local_input(event["ends_at"], timezone),
        "rsvp_deadline": forms.local_input(event["rsvp_deadline"], timezone),
        "capacity": "" if event["capacity"] is None else str(event["capacity"]),
        "guests_allowed": "on" if event["guests_allowed"] else "",
        "max_guests": str(event["max_guests"]) if event["guests_allowed"] else "",
        "community_wide": "on" if event["community_wide"] else "",
        "kept_cover": event["cover"],
    }


class EventController(Controller):
    """What every member who may attend sees and does: the lists, an event, an answer."""

    path = "/"
    guards = (allowed("events.attend"),)

    @get("/b/{building_id:int}/events", name="events.event_list")
    async def event_list(
        self, request: HTMXRequest, place: NamedDependency[Place], user_id: NamedDependency[int]
    ) -> Template:
        which = request.query_params.get("list", "upcoming")
        which = which if which in LISTS else "upcoming"
        events = await queries.events(place.building_id, place.community_id, user_id, which)
        return page("events/list.html", place=place, events=events, which=which)

    @get("/b/{building_id:int}/events/{event_id:int}", name="events.event")
    async def event_page(
        self,
        request: HTMXRequest,
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template:
        event = await _event_or_404(place, user_id, event_id)
        guests = event["mine"]["guests"] if event["mine"] else 0
        asked = whole_number(request.query_params.get("guests", ""))
        if asked is not None and event["guests_allowed"]:
            guests = actions.allowed_guests(event, asked)
        return page("events/event.html", place=place, event=event, guests=guests, error="")

    @post("/b/{building_id:int}/events/{event_id:int}/answer", name="events.event_answer")
    async def event_answer(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        """The three buttons and the guests stepper: a status button answers with the guests
        shown; a stepper button changes the guests, saved at once when the person has already
        answered."""
        event = await _event_or_404(place, user_id, event_id)
        status, guests = forms.answer(Form(await read_form(request)), event)
        if not status:
            return await _answer_response(request, place, user_id, event_id, guests)
        try:
            await actions.do_answer(user_id, building_id, event_id, status, guests)
        except Refused as refused:
            return await _answer_response(
                request, place, user_id, event_id, guests, refused.message
            )
        return await _answer_response(request, place, user_id, event_id, guests)

    @get("/b/{building_id:int}/events/{event_id:int}/event.ics", name="events.event_ics")
    async def event_ics(
        self,
        request: HTMXRequest,
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Response[bytes]:
        event = await _event_or_404(place, user_id, event_id)
        body = calendar(
            [event_entry(event, place.timezone)], host=request.url.hostname or "hub", name="Hub"
        )
        return ics_response(body, f"event-{event_id}.ics")

    @get("/b/{building_id:int}/events/{event_id:int}/cover", name="events.event_cover")
    async def event_cover(
        self,
        request: HTMXRequest,
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> File:
        """The cover photo (?size= for a smaller one), only to the building's members."""
        event = await _event_or_404(place, user_id, event_id)
        return await photo_file(request, event["cover"])


class EventManagementController(Controller):
    """Announcing, changing and cancelling events, and the list of who is coming."""

    path = "/"
    guards = (allowed("events.manage"),)

    @get("/b/{building_id:int}/events/new", name="events.event_new")
    async def event_new(self, place: NamedDependency[Place]) -> Template:
        return page("events/form.html", place=place, event=None, values={}, errors={})

    @post(
        "/b/{building_id:int}/events",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        name="events.event_create",
    )
    async def event_create(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        form = Form(await read_form(request))
        details = forms.event_details(form, place.timezone, await photo_field(request, form, ""))
        community_wide = form.flag("community_wide") and place.can("events.community_wide")
        if details is not None:
            try:
                event_id = await actions.do_create_event(
                    user_id,
                    place.community_id,
                    None if community_wide else building_id,
                    details,
                )
            except Refused as refused:
                form.error(refused.field or "title", refused.message)
            else:
                return see_other(url("events.event", building_id=building_id, event_id=event_id))
        return form_page(
            "events/form.html",
            form,
            at=url("events.event_new", building_id=building_id),
            place=place,
            event=None,
        )

    @get("/b/{building_id:int}/events/{event_id:int}/edit", name="events.event_edit_page")
    async def event_edit_page(
        self,
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template:
        event = await _event_or_404(place, user_id, event_id)
        may_manage(place, event["community_wide"])
        values = _event_values(event, place.timezone)
        return page("events/form.html", place=place, event=event, values=values, errors={})

    @post(
        "/b/{building_id:int}/events/{event_id:int}/edit",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        name="events.event_edit",
    )
    async def event_edit(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        event = await _event_or_404(place, user_id, event_id)
        may_manage(place, event["community_wide"])
        form = Form(await read_form(request))
        cover = await photo_field(request, form, event["cover"])
        details = forms.event_details(form, place.timezone, cover)
        if details is not None:
            try:
                await actions.do_update_event(user_id, building_id, event_id, details)
            except Refused as refused:
                form.error(refused.field or "title", refused.message)
            else:
                return see_other(url("events.event", building_id=building_id, event_id=event_id))
        return form_page(
            "events/form.html",
            form,
            at=url("events.event_edit_page", building_id=building_id, event_id=event_id),
            place=place,
            event=event,
        )

    @post("/b/{building_id:int}/events/{event_id:int}/cancel", name="events.event_cancel")
    async def event_cancel(
        self,
        building_id: FromPath[int],
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Redirect:
        event = await _event_or_404(place, user_id, event_id)
        may_manage(place, event["community_wide"])
        await actions.do_cancel_event(user_id, building_id, event_id)
        return see_other(url("events.event", building_id=building_id, event_id=event_id))

    # The leaders' list, attendance and CSV -------------------------------------------------------

    @get("/b/{building_id:int}/events/{event_id:int}/people", name="events.event_people")
    async def event_people(
        self,
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template:
        event = await _event_or_404(place, user_id, event_id)
        may_manage(place, event["community_wide"])
        people = await queries.answers(event_id)
        return page("events/people.html", place=place, event=event, people=people)

    @post("/b/{building_id:int}/events/{event_id:int}/attendance", name="events.event_attendance")
    async def event_attendance(
        self,
        request: HTMXRequest,
        building_id: FromPath[int],
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Template | Redirect:
        event = await _event_or_404(place, user_id, event_id)
        may_manage(place, event["community_wide"])
        form = Form(await read_form(request))
        answer_id = form.integer("answer_id")
        attended = form.flag("attended")
        try:
            if answer_id is None:
                raise Refused(_("This answer no longer exists."))
            await actions.do_mark_attended(user_id, building_id, event_id, answer_id, attended)
        except Refused:
            people = await queries.answers(event_id)
            response = page(
                "events/people.html",
                status=409,
                at=url("events.event_people", building_id=building_id, event_id=event_id),
                place=place,
                event=event,
                people=people,
            )
            if request.htmx:  # the list as it is now, in place of the page, not of one tick
                response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
            return response
        if request.htmx and request.htmx.target == f"attended-{answer_id}":
            row = {"id": answer_id, "attended": attended}
            return page("events/_attended.html", place=place, event=event, row=row)
        return see_other(url("events.event_people", building_id=building_id, event_id=event_id))

    @get("/b/{building_id:int}/events/{event_id:int}/people.csv", name="events.event_people_csv")
    async def event_people_csv(
        self,
        event_id: FromPath[int],
        place: NamedDependency[Place],
        user_id: NamedDependency[int],
    ) -> Response[bytes]:
        event = await _event_or_404(place, user_id, event_id)
        may_manage(place, event["community_wide"])
        people = await queries.answers(event_id)
        labels = {"going": _("Going"), "waitlist": _("Waitlist"), "maybe": _("Maybe")}
        rows = [
            [
                row["name"],
                label,
                row["guests"],
                1 + row["guests"] if key == "going" else 0,
                _("Yes") if row["attended"] else "",
            ]
            for key, label in labels.items()
            for row in people[key]
        ]
        header = [_("Name"), _("Answer"), _("Guests"), _("Places"), _("Attended")]
        return csv_response(header, rows, f"event-{event_id}.csv")


router = Router(path="/", route_handlers=[EventController, EventManagementController])
