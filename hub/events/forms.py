"""Reading the events forms: an event, a notice, an answer with its guests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.events import actions
from hub.forms import Form, sane_day, sane_moment
from hub.i18n import _

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_input(value: datetime | None, timezone: str) -> str:
    """A stored moment as the form's local date and time."""
    return value.astimezone(ZoneInfo(timezone)).strftime(LOCAL_FORMAT) if value else ""


def local_moment(form: Form, name: str, timezone: str, *, required: bool = True) -> datetime | None:
    raw = form.raw(name).strip()
    if not raw:
        if required:
            form.error(name, _("Please fill this in."))
        return None
    try:
        local = sane_moment(datetime.strptime(raw[:16], LOCAL_FORMAT))
    except ValueError:
        local = None
    if local is None:
        form.error(name, _("Please give a date and time such as 2026-05-01 14:30."))
        return None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def optional_number(form: Form, name: str) -> int | None:
    raw = form.raw(name).strip()
    if not raw:
        return None
    return form.integer(name)


def event_details(form: Form, timezone: str, cover: str) -> actions.EventDetails | None:
    title = form.text("title", max_length=120)
    description = form.text("description", required=False, max_length=4000, multiline=True)
    where = form.text("place", required=False, max_length=200)
    starts_at = local_moment(form, "starts_at", timezone)
    ends_at = local_moment(form, "ends_at", timezone)
    deadline = local_moment(form, "rsvp_deadline", timezone, required=False)
    capacity = optional_number(form, "capacity")
    guests_allowed = form.flag("guests_allowed")
    max_guests = (optional_number(form, "max_guests") or 0) if guests_allowed else 0
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


def answer(form: Form, event: dict[str, Any]) -> tuple[str, int]:
    """The status and guests of the three buttons and the guests stepper: a status button
    answers with the guests shown; a stepper button changes the guests, and keeps the person's
    answer if they have one (status "" when there is nothing to save yet)."""
    status = form.choice("status", actions.STATUSES, required=False)
    step = form.choice("change", ("more", "fewer"), required=False)
    guests = optional_number(form, "guests") or 0
    if step:
        guests += 1 if step == "more" else -1
    guests = actions.allowed_guests(event, guests)
    mine = event["mine"]
    if not status and step and mine is not None:
        status = mine["status"]
    return status, guests


def notice_details(form: Form, photo: str) -> actions.NoticeDetails | None:
    title = form.text("title", max_length=120)
    text = form.text("text", max_length=4000, multiline=True)
    pinned = form.flag("pinned")
    urgent = form.flag("urgent")
    ends_on = None
    raw = form.raw("ends_on").strip()
    if raw:
        ends_on = sane_day(raw[:10])
        if ends_on is None:
            form.error("ends_on", _("Please give a date such as 2026-05-01."))
    if not form.ok:
        return None
    return actions.NoticeDetails(
        title=title, text=text, pinned=pinned, urgent=urgent, ends_on=ends_on, photo=photo
    )
