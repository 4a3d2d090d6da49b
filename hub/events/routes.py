"""Events, answers, the leaders' list and attendance, calendars, and the notice board."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template

from hub.community.viewer import Place
from hub.errors import Refused
from hub.events import actions, queries
from hub.events import notifications as _notifications  # noqa: F401 - registers the push texts
from hub.events import today as _today  # noqa: F401 - registers the Today sections
from hub.events.calendar import event_entry
from hub.events.text import linkify
from hub.media.images import (
    MAX_UPLOAD_BYTES,
    is_stored_name,
    store_uploads,
    stored_path,
)
from hub.media.serving import photo_response
from hub.web.calendar_feed import calendar, entries_for
from hub.web.forms import Form, read_form, read_uploads
from hub.web.i18n import _
from hub.web.pages import absolute_url, form_page, page, see_other
from hub.web.policy import Access, requires, user_id_of, viewer_of

LISTS = ("upcoming", "past", "mine")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# One cover photo of up to 10 MB, and the text fields of the form around it.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024


def _place(request: HTMXRequest, building_id: int) -> Place:
    place = viewer_of(request).places.get(building_id)
    if place is None:  # the guard already made sure; this keeps the type checker honest
        raise NotFoundException
    return place


async def _event_or_404(request: HTMXRequest, building_id: int, event_id: int) -> dict[str, Any]:
    place = _place(request, building_id)
    event = await queries.event(building_id, place.community_id, event_id, user_id_of(request))
    if event is None:
        raise NotFoundException
    event["open"] = actions.answer_open(event)
    return event


def _may_manage(place: Place, community_wide: bool) -> None:
    """Leaders manage their building's events and notices; community-wide ones are the admins'."""
    if community_wide and not place.is_admin:
        raise PermissionDeniedException


def _local_input(value: datetime | None, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).strftime(LOCAL_FORMAT) if value else ""


def _read_local(form: Form, name: str, timezone: str, *, required: bool = True) -> datetime | None:
    raw = form.raw(name).strip()
    if not raw:
        if required:
            form.error(name, _("Please fill this in."))
        return None
    try:
        local = datetime.strptime(raw[:16], LOCAL_FORMAT)
    except ValueError:
        form.error(name, _("Please give a date and time such as 2026-05-01 14:30."))
        return None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _optional_number(form: Form, name: str) -> int | None:
    raw = form.raw(name).strip()
    if not raw:
        return None
    return form.integer(name)


# Lists and the event page ---------------------------------------------------------------------


@get("/b/{building_id:int}/events", guards=[requires(Access.RESIDENT)])
async def event_list(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    place = _place(request, building_id)
    which = request.query_params.get("list", "upcoming")
    which = which if which in LISTS else "upcoming"
    events = await queries.events(building_id, place.community_id, user_id_of(request), which)
    return page("events/list.html", place=place, events=events, which=which)


@get("/b/{building_id:int}/events/{event_id:int}", guards=[requires(Access.RESIDENT)])
async def event_page(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Template:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    guests = event["mine"]["guests"] if event["mine"] else 0
    asked = request.query_params.get("guests", "")
    if asked.isdigit() and event["guests_allowed"]:
        guests = min(int(asked), event["max_guests"])
    return page("events/event.html", place=place, event=event, guests=guests, error="")


async def _answer_response(
    request: HTMXRequest, place: Place, event_id: int, guests: int, error: str = ""
) -> Template | Redirect:
    building_id = place.building_id
    if request.htmx and request.htmx.target == f"answer-{event_id}":
        event = await _event_or_404(request, building_id, event_id)
        return page(
            "events/_answer.html",
            status=409 if error else 200,
            place=place,
            event=event,
            guests=guests,
            error=error,
        )
    if error:
        event = await _event_or_404(request, building_id, event_id)
        return page(
            "events/event.html", status=409, place=place, event=event, guests=guests, error=error
        )
    suffix = f"?guests={guests}" if guests else ""
    return see_other(f"/b/{building_id}/events/{event_id}{suffix}")


@post("/b/{building_id:int}/events/{event_id:int}/answer", guards=[requires(Access.RESIDENT)])
async def event_answer(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Template | Redirect:
    """The three buttons and the guests stepper: a status button answers with the guests shown;
    a stepper button changes the guests, saved at once when the person has already answered."""
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    form = Form(await read_form(request))
    status = form.choice("status", actions.STATUSES, required=False)
    step = form.choice("change", ("more", "fewer"), required=False)
    guests = _optional_number(form, "guests") or 0
    if step:
        guests += 1 if step == "more" else -1
    guests = max(0, min(guests, event["max_guests"] if event["guests_allowed"] else 0))
    mine = event["mine"]
    if not status and step and mine is not None:
        status = mine["status"]
    if not status:
        return await _answer_response(request, place, event_id, guests)
    try:
        await actions.do_answer(event_id, user_id_of(request), status, guests)
    except Refused as refused:
        return await _answer_response(request, place, event_id, guests, refused.message)
    return await _answer_response(request, place, event_id, guests)


@get("/b/{building_id:int}/events/{event_id:int}/event.ics", guards=[requires(Access.RESIDENT)])
async def event_ics(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Response[bytes]:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    body = calendar(
        [event_entry(event, place.timezone)], host=request.url.hostname or "hub", name="Hub"
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event_id}.ics"'},
    )


@get("/b/{building_id:int}/events/{event_id:int}/cover", guards=[requires(Access.RESIDENT)])
async def event_cover(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> File:
    """The cover photo (?size=thumb for the small one), only to the building's members."""
    event = await _event_or_404(request, building_id, event_id)
    return _photo_file(request, event["cover"])


# Creating and changing events -----------------------------------------------------------------


def _event_values(event: dict[str, Any], timezone: str) -> dict[str, Any]:
    return {
        "title": event["title"],
        "description": event["description"],
        "place": event["place"],
        "starts_at": _local_input(event["starts_at"], timezone),
        "ends_at": _local_input(event["ends_at"], timezone),
        "rsvp_deadline": _local_input(event["rsvp_deadline"], timezone),
        "capacity": "" if event["capacity"] is None else str(event["capacity"]),
        "guests_allowed": "on" if event["guests_allowed"] else "",
        "max_guests": str(event["max_guests"]) if event["guests_allowed"] else "",
        "community_wide": "on" if event["community_wide"] else "",
        "kept_cover": event["cover"],
    }


async def _photo(request: HTMXRequest, form: Form, current: str, field: str = "cover") -> str:
    """The photo of `field`: a new one if one was sent and is good, else the one kept from an
    earlier try or the current one, unless "remove_<field>" is ticked."""
    kept = form.raw(f"kept_{field}")
    photo = kept if is_stored_name(kept) and stored_path(kept) else current
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


def _photo_file(request: HTMXRequest, name: str) -> File:
    """A stored photo (?size=thumb for the small one) as an inline file."""
    return photo_response(name, thumb=request.query_params.get("size") == "thumb")


def _read_event(form: Form, timezone: str, cover: str) -> actions.EventDetails | None:
    title = form.text("title", max_length=120)
    description = form.text("description", required=False, max_length=4000, multiline=True)
    where = form.text("place", required=False, max_length=200)
    starts_at = _read_local(form, "starts_at", timezone)
    ends_at = _read_local(form, "ends_at", timezone)
    deadline = _read_local(form, "rsvp_deadline", timezone, required=False)
    capacity = _optional_number(form, "capacity")
    guests_allowed = form.flag("guests_allowed")
    max_guests = (_optional_number(form, "max_guests") or 0) if guests_allowed else 0
    if not form.ok or starts_at is None or ends_at is None:
        return None
    return actions.EventDetails(
        title=title,
        description=description,
        place=where,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        rsvp_deadline=deadline,
        guests_allowed=guests_allowed,
        max_guests=max_guests,
        cover=cover,
    )


@get("/b/{building_id:int}/events/new", guards=[requires(Access.LEADER)])
async def event_new(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    place = _place(request, building_id)
    return page("events/form.html", place=place, event=None, values={}, errors={})


@post(
    "/b/{building_id:int}/events",
    guards=[requires(Access.LEADER)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def event_create(request: HTMXRequest, building_id: FromPath[int]) -> Template | Redirect:
    place = _place(request, building_id)
    form = Form(await read_form(request))
    details = _read_event(form, place.timezone, await _photo(request, form, ""))
    community_wide = form.flag("community_wide") and place.is_admin
    if details is not None:
        try:
            event_id = await actions.do_create_event(
                user_id_of(request),
                place.community_id,
                None if community_wide else building_id,
                details,
            )
        except Refused as refused:
            form.error(refused.field or "title", refused.message)
        else:
            return see_other(f"/b/{building_id}/events/{event_id}")
    return form_page("events/form.html", form, place=place, event=None)


@get("/b/{building_id:int}/events/{event_id:int}/edit", guards=[requires(Access.LEADER)])
async def event_edit_page(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Template:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    _may_manage(place, event["community_wide"])
    values = _event_values(event, place.timezone)
    return page("events/form.html", place=place, event=event, values=values, errors={})


@post(
    "/b/{building_id:int}/events/{event_id:int}/edit",
    guards=[requires(Access.LEADER)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def event_edit(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Template | Redirect:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    _may_manage(place, event["community_wide"])
    form = Form(await read_form(request))
    details = _read_event(form, place.timezone, await _photo(request, form, event["cover"]))
    if details is not None:
        try:
            await actions.do_update_event(event_id, details)
        except Refused as refused:
            form.error(refused.field or "title", refused.message)
        else:
            return see_other(f"/b/{building_id}/events/{event_id}")
    return form_page("events/form.html", form, place=place, event=event)


@post("/b/{building_id:int}/events/{event_id:int}/cancel", guards=[requires(Access.LEADER)])
async def event_cancel(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Redirect:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    _may_manage(place, event["community_wide"])
    await actions.do_cancel_event(event_id, actor=user_id_of(request))
    return see_other(f"/b/{building_id}/events/{event_id}")


# The leaders' list, attendance and CSV --------------------------------------------------------


@get("/b/{building_id:int}/events/{event_id:int}/people", guards=[requires(Access.LEADER)])
async def event_people(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Template:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    people = await queries.answers(event_id)
    return page("events/people.html", place=place, event=event, people=people)


@post("/b/{building_id:int}/events/{event_id:int}/attendance", guards=[requires(Access.LEADER)])
async def event_attendance(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Template | Redirect:
    place = _place(request, building_id)
    event = await _event_or_404(request, building_id, event_id)
    form = Form(await read_form(request))
    answer_id = form.integer("answer_id")
    attended = form.flag("attended")
    try:
        if answer_id is None:
            raise Refused(_("This answer no longer exists."))
        await actions.do_mark_attended(event_id, answer_id, attended)
    except Refused:
        people = await queries.answers(event_id)
        return page("events/people.html", status=409, place=place, event=event, people=people)
    if request.htmx and request.htmx.target == f"attended-{answer_id}":
        row = {"id": answer_id, "attended": attended}
        return page("events/_attended.html", place=place, event=event, row=row)
    return see_other(f"/b/{building_id}/events/{event_id}/people")


@get("/b/{building_id:int}/events/{event_id:int}/people.csv", guards=[requires(Access.LEADER)])
async def event_people_csv(
    request: HTMXRequest, building_id: FromPath[int], event_id: FromPath[int]
) -> Response[bytes]:
    await _event_or_404(request, building_id, event_id)
    people = await queries.answers(event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Answer"), _("Guests"), _("Places"), _("Attended")])
    labels = {"going": _("Going"), "waitlist": _("Waitlist"), "maybe": _("Maybe")}
    for key, label in labels.items():
        for row in people[key]:
            places = 1 + row["guests"] if key == "going" else 0
            name = row["name"]
            if name[:1] in ("=", "+", "-", "@"):  # a spreadsheet must not read it as a formula
                name = "'" + name
            writer.writerow(
                [name, label, row["guests"], places, _("Yes") if row["attended"] else ""]
            )
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event_id}.csv"'},
    )


# Calendars ------------------------------------------------------------------------------------


@get("/calendar", guards=[requires(Access.SIGNED_IN)])
async def calendar_page(request: HTMXRequest) -> Template:
    token = await actions.do_calendar_token(user_id_of(request))
    feed = absolute_url(request, f"/calendar/feed/{token}")
    return page("events/calendar.html", feed=feed, webcal=feed.split("://", 1)[-1])


@post("/calendar/reset", guards=[requires(Access.SIGNED_IN)])
async def calendar_reset(request: HTMXRequest) -> Redirect:
    await actions.do_calendar_token(user_id_of(request), reset=True)
    return see_other("/calendar")


@get("/calendar/feed/{feed_token:str}", guards=[requires(Access.PUBLIC)])
async def calendar_feed(request: HTMXRequest, feed_token: FromPath[str]) -> Response[bytes]:
    """A person's private feed: anyone with the URL may read it; a wrong token is not found."""
    user_id = await queries.user_for_calendar_token(feed_token)
    if user_id is None:
        raise NotFoundException
    body = calendar(await entries_for(user_id), host=request.url.hostname or "hub", name="Hub")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store"},
    )


@post("/today/dismiss", guards=[requires(Access.SIGNED_IN)])
async def dismiss_news(request: HTMXRequest) -> Redirect:
    await actions.do_dismiss_news(user_id_of(request))
    return see_other("/")


# Notices --------------------------------------------------------------------------------------


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
    _may_manage(place, notice["community_wide"])
    return notice


def _read_notice(form: Form, photo: str) -> actions.NoticeDetails | None:
    title = form.text("title", max_length=120)
    text = form.text("text", max_length=4000, multiline=True)
    pinned = form.flag("pinned")
    urgent = form.flag("urgent")
    ends_on = None
    raw = form.raw("ends_on").strip()
    if raw:
        try:
            ends_on = date.fromisoformat(raw[:10])
        except ValueError:
            form.error("ends_on", _("Please give a date such as 2026-05-01."))
    if not form.ok:
        return None
    return actions.NoticeDetails(
        title=title, text=text, pinned=pinned, urgent=urgent, ends_on=ends_on, photo=photo
    )


@get("/b/{building_id:int}/notices", guards=[requires(Access.RESIDENT)])
async def notice_board(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    place = _place(request, building_id)
    notices = await queries.notices(building_id, place.community_id, place.timezone)
    return page("events/notices.html", place=place, notices=with_html(notices))


@get("/b/{building_id:int}/notices/new", guards=[requires(Access.LEADER)])
async def notice_new(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    place = _place(request, building_id)
    return page("events/notice_form.html", place=place, notice=None, values={}, errors={})


@post(
    "/b/{building_id:int}/notices",
    guards=[requires(Access.LEADER)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def notice_create(request: HTMXRequest, building_id: FromPath[int]) -> Template | Redirect:
    place = _place(request, building_id)
    form = Form(await read_form(request))
    details = _read_notice(form, await _photo(request, form, "", "photo"))
    community_wide = form.flag("community_wide") and place.is_admin
    if details is None:
        return form_page("events/notice_form.html", form, place=place, notice=None)
    await actions.do_post_notice(
        user_id_of(request), place.community_id, None if community_wide else building_id, details
    )
    return see_other(f"/b/{building_id}/notices")


@get("/b/{building_id:int}/notices/{notice_id:int}/edit", guards=[requires(Access.LEADER)])
async def notice_edit_page(
    request: HTMXRequest, building_id: FromPath[int], notice_id: FromPath[int]
) -> Template:
    place = _place(request, building_id)
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
    guards=[requires(Access.LEADER)],
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def notice_edit(
    request: HTMXRequest, building_id: FromPath[int], notice_id: FromPath[int]
) -> Template | Redirect:
    place = _place(request, building_id)
    notice = await _notice_or_404(place, notice_id)
    form = Form(await read_form(request))
    details = _read_notice(form, await _photo(request, form, notice["photo"], "photo"))
    if details is None:
        return form_page("events/notice_form.html", form, place=place, notice=notice)
    await actions.do_edit_notice(notice_id, details)
    return see_other(f"/b/{building_id}/notices")


@get("/b/{building_id:int}/notices/{notice_id:int}/photo", guards=[requires(Access.RESIDENT)])
async def notice_photo(
    request: HTMXRequest, building_id: FromPath[int], notice_id: FromPath[int]
) -> File:
    """A notice's photo, only to members of a building that shows the notice."""
    place = _place(request, building_id)
    notice = await queries.notice(place.building_id, place.community_id, notice_id)
    if notice is None:
        raise NotFoundException
    return _photo_file(request, notice["photo"])


@post("/b/{building_id:int}/notices/{notice_id:int}/retire", guards=[requires(Access.LEADER)])
async def notice_retire(
    request: HTMXRequest, building_id: FromPath[int], notice_id: FromPath[int]
) -> Redirect:
    place = _place(request, building_id)
    await _notice_or_404(place, notice_id, retired_too=True)  # taking down twice is no error
    await actions.do_retire_notice(notice_id)
    return see_other(f"/b/{building_id}/notices")


router = Router(
    path="/",
    route_handlers=[
        event_list,
        event_new,
        event_create,
        event_page,
        event_answer,
        event_ics,
        event_cover,
        event_edit_page,
        event_edit,
        event_cancel,
        event_people,
        event_attendance,
        event_people_csv,
        calendar_page,
        calendar_reset,
        calendar_feed,
        dismiss_news,
        notice_board,
        notice_new,
        notice_create,
        notice_edit_page,
        notice_edit,
        notice_photo,
        notice_retire,
    ],
)
