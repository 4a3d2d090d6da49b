"""Reading the task forms: a report, a plan, the people assigned."""

from __future__ import annotations

from datetime import date

from hub.forms import Form, device_time, sane_day, uuid_text, whole_number
from hub.i18n import _
from hub.tasks.actions import NewReport
from hub.tasks.workflow import CATEGORIES, PLACES, PRIORITIES


def client_uuid(form: Form) -> str | None:
    """The UUID the phone gave the report, so a replay is one task."""
    return uuid_text(form.raw("client_uuid"))


def new_report(form: Form) -> NewReport:
    """The report's fields; check `form.ok` before filing it."""
    return NewReport(
        title=form.text("title", max_length=120),
        place_kind=form.choice("place_kind", PLACES),
        place=form.text("place", required=False, max_length=120),
        category=form.choice("category", CATEGORIES),
        description=form.text("description", required=False, max_length=2000, multiline=True),
        client_uuid=client_uuid(form),
        device_time=device_time(form.raw("device_time")),
    )


def plan(form: Form) -> tuple[str, date | None]:
    """The priority and the due date (none when left empty)."""
    priority = form.choice("priority", PRIORITIES)
    raw_due = form.text("due_on", required=False, max_length=10)
    due_on: date | None = None
    if raw_due:
        due_on = sane_day(raw_due)
        if due_on is None:
            form.error("due_on", _("Please give a date such as 2026-12-31."))
    return priority, due_on


def people(form: Form) -> list[int]:
    """The user ids ticked in the assign form; anything that is not one is left out."""
    return [
        number
        for value in form.data.get("people", [])
        if (number := whole_number(value)) is not None
    ]
