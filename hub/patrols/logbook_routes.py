"""The patrol log book (page, print and CSV) and the coverage grid: read-only pages."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from litestar import Response, Router, get
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from hub.community.roles import Role
from hub.community.viewer import Place
from hub.patrols import logbook
from hub.patrols import today as _today  # noqa: F401 - registers the Today sections
from hub.patrols.schedule_times import local_today, week_start
from hub.web.i18n import _, current_language
from hub.web.pages import page
from hub.web.policy import Access, requires, viewer_of

DEFAULT_WEEKS = 4
MAX_WEEKS = 12
CSV_TIME = "%Y-%m-%d %H:%M"


def day_label(day: date, fmt: str = "medium") -> str:
    """A local day in the page's language ("Monday, 30 November 2026", "2026年11月30日星期一")."""
    locale = "zh_Hans_CN" if current_language.get() == "zh" else "en_GB"
    return format_date(day, fmt, locale=locale)


def _place(request: HTMXRequest, building_id: int) -> Place:
    place = viewer_of(request).places.get(building_id)
    assert place is not None  # the access guard answered 404 otherwise
    return place


def _week(request: HTMXRequest, timezone: str) -> tuple[date, str]:
    """The Monday of the asked week (this week by default) and an error for a bad value."""
    this_week = week_start(local_today(timezone))
    raw = request.query_params.get("week", "").strip()
    if not raw:
        return this_week, ""
    try:
        return week_start(date.fromisoformat(raw)), ""
    except ValueError:
        return this_week, _("Please choose a week as a date such as 2026-11-30.")


def _own_only(request: HTMXRequest, place: Place) -> int | None:
    """Leaders (and community admins) see every round; volunteers only their own."""
    return None if place.role is Role.LEADER else viewer_of(request).user_id


@get("/b/{building_id:int}/logbook", guards=[requires(Access.VOLUNTEER)])
async def logbook_page(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    place = _place(request, building_id)
    monday, error = _week(request, place.timezone)
    days = await logbook.week_log(
        building_id, monday, place.timezone, user_id=_own_only(request, place)
    )
    flags = None
    if place.role is Role.LEADER:
        rounds = [walk for day in days for walk in day.rounds]
        flags = await logbook.week_flags(building_id, monday, place.timezone, rounds)
    return page(
        "patrols/logbook.html",
        status=422 if error else 200,
        place=place,
        monday=monday,
        sunday=monday + timedelta(days=6),
        previous=monday - timedelta(weeks=1),
        following=monday + timedelta(weeks=1),
        this_week=week_start(local_today(place.timezone)),
        days=days,
        flags=flags,
        own_only=place.role is not Role.LEADER,
        error=error,
        weekday_names=logbook.WEEKDAY_NAMES,
        day_label=day_label,
    )


def _csv_time(moment: datetime | None, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime(CSV_TIME) if moment else ""


def logbook_csv_text(days: list[logbook.LogDay], timezone: str) -> str:
    """One row per check-in (a round without any gets one row of its own), after a header."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Date"),
            _("Volunteer"),
            _("Route"),
            _("Round started"),
            _("Round finished"),
            _("Checkpoint"),
            _("Time"),
            _("Manual"),
            _("Skipped"),
            _("Note"),
            _("Photos"),
        ]
    )
    yes = _("yes")
    for day in days:
        for walk in day.rounds:
            head = [
                day.day.isoformat(),
                walk.volunteer,
                walk.route,
                _csv_time(walk.started_at, timezone),
                _csv_time(walk.finished_at, timezone),
            ]
            if not walk.visits:
                writer.writerow([*head, "", "", "", "", "", ""])
            for visit in walk.visits:
                writer.writerow(
                    [
                        *head,
                        visit.checkpoint,
                        _csv_time(visit.recorded_at, timezone),
                        yes if visit.manual else "",
                        yes if visit.skipped else "",
                        visit.note,
                        len(visit.photos) or "",
                    ]
                )
    return out.getvalue()


@get("/b/{building_id:int}/logbook.csv", guards=[requires(Access.VOLUNTEER)])
async def logbook_csv(request: HTMXRequest, building_id: FromPath[int]) -> Response[bytes]:
    place = _place(request, building_id)
    monday, _error = _week(request, place.timezone)
    days = await logbook.week_log(
        building_id, monday, place.timezone, user_id=_own_only(request, place)
    )
    # The byte order mark makes Excel read the file as UTF-8, so Chinese names come out right.
    body = "\ufeff" + logbook_csv_text(days, place.timezone)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="logbook-{monday.isoformat()}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def _weeks(request: HTMXRequest) -> tuple[int, str]:
    raw = request.query_params.get("weeks", "").strip()
    if not raw:
        return DEFAULT_WEEKS, ""
    if raw.isdigit() and 1 <= int(raw) <= MAX_WEEKS:
        return int(raw), ""
    return DEFAULT_WEEKS, _("Please choose between 1 and %(most)s weeks.", most=MAX_WEEKS)


@get("/b/{building_id:int}/coverage", guards=[requires(Access.LEADER)])
async def coverage_page(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    place = _place(request, building_id)
    weeks, error = _weeks(request)
    grid = await logbook.coverage(building_id, weeks, place.timezone)
    return page(
        "patrols/coverage.html",
        status=422 if error else 200,
        place=place,
        grid=grid,
        weeks=weeks,
        week_choices=range(1, MAX_WEEKS + 1),
        error=error,
        weekday_names=logbook.WEEKDAY_NAMES,
        block_hours=logbook.BLOCK_HOURS,
        blocks_per_day=logbook.BLOCKS_PER_DAY,
    )


router = Router(path="/", route_handlers=[logbook_page, logbook_csv, coverage_page])
