"""The patrol log book (page, print and CSV) and the coverage grid: read-only pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from hub import clock
from hub.community.viewer import Place
from hub.forms import sane_day, whole_number
from hub.i18n import N_, _
from hub.patrols import logbook
from hub.patrols.observations import KINDS, SEVERITIES
from hub.patrols.schedule_times import week_start
from hub.web.exports import Cell, csv_response
from hub.web.pages import page
from hub.web.policy import allowed

DEFAULT_WEEKS = 4
MAX_WEEKS = 12
CSV_TIME = "%Y-%m-%d %H:%M"


def _week(request: HTMXRequest, timezone: str) -> tuple[date, str]:
    """The Monday of the asked week (this week by default) and an error for a bad value."""
    this_week = week_start(clock.local_today(timezone))
    raw = request.query_params.get("week", "").strip()
    if not raw:
        return this_week, ""
    day = sane_day(raw)
    if day is None:
        return this_week, _("Please choose a week as a date such as 2026-11-30.")
    return week_start(day), ""


def _own_only(place: Place, user_id: int) -> int | None:
    """Leaders (and community admins) see every round; volunteers only their own."""
    return None if place.can("patrols.review") else user_id


@get("/b/{building_id:int}/logbook", guards=[allowed("patrols.walk")], name="patrols.logbook")
async def logbook_page(
    request: HTMXRequest,
    building_id: FromPath[int],
    place: NamedDependency[Place],
    user_id: NamedDependency[int],
) -> Template:
    monday, error = _week(request, place.timezone)
    days = await logbook.week_log(
        building_id, monday, place.timezone, user_id=_own_only(place, user_id)
    )
    flags = None
    if place.can("patrols.review"):
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
        this_week=week_start(clock.local_today(place.timezone)),
        days=days,
        flags=flags,
        own_only=not place.can("patrols.review"),
        error=error,
        weekday_names=logbook.WEEKDAY_NAMES,
        kinds=KINDS,
        severities=SEVERITIES,
    )


def _csv_time(moment: datetime | None, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime(CSV_TIME) if moment else ""


def _seen_text(seen: list[logbook.Seen]) -> str:
    return "; ".join(
        f"{_(KINDS.get(item.kind, KINDS['other']))} ({_(SEVERITIES.get(item.severity, ''))})"
        + (f": {item.note}" if item.note else "")
        for item in seen
    )


LOGBOOK_HEADER = (
    N_("Date"),
    N_("Volunteer"),
    N_("Route"),
    N_("Round started"),
    N_("Round finished"),
    N_("Checkpoint"),
    N_("Time"),
    N_("Phone time"),
    N_("Manual"),
    N_("Skipped"),
    N_("Note"),
    N_("Photos"),
    N_("Observations"),
)


def logbook_rows(days: list[logbook.LogDay], timezone: str) -> Iterator[list[Cell]]:
    """One row per check-in (a round without any gets one row of its own). "Time" is when Hub
    heard of the check-in, "Phone time" when the phone made it: they differ for one kept on the
    phone offline and sent later."""
    yes = _("yes")
    for day in days:
        for walk in day.rounds:
            head: list[Cell] = [
                day.day.isoformat(),
                walk.volunteer,
                walk.route,
                _csv_time(walk.started_at, timezone),
                _csv_time(walk.finished_at, timezone),
            ]
            if not walk.visits:
                yield [*head, "", "", "", "", "", "", "", ""]
            for visit in walk.visits:
                yield [
                    *head,
                    visit.checkpoint,
                    _csv_time(visit.recorded_at, timezone),
                    _csv_time(visit.phone_time, timezone),
                    yes if visit.manual else "",
                    yes if visit.skipped else "",
                    visit.note,
                    len(visit.photos) or "",
                    _seen_text(visit.seen),
                ]


@get(
    "/b/{building_id:int}/logbook.csv", guards=[allowed("patrols.walk")], name="patrols.logbook_csv"
)
async def logbook_csv(
    request: HTMXRequest,
    building_id: FromPath[int],
    place: NamedDependency[Place],
    user_id: NamedDependency[int],
) -> Response[bytes]:
    monday, _error = _week(request, place.timezone)
    days = await logbook.week_log(
        building_id, monday, place.timezone, user_id=_own_only(place, user_id)
    )
    return csv_response(
        [_(name) for name in LOGBOOK_HEADER],
        logbook_rows(days, place.timezone),
        f"logbook-{monday.isoformat()}.csv",
    )


def _weeks(request: HTMXRequest) -> tuple[int, str]:
    raw = request.query_params.get("weeks", "").strip()
    if not raw:
        return DEFAULT_WEEKS, ""
    weeks = whole_number(raw, MAX_WEEKS)
    if weeks:
        return weeks, ""
    return DEFAULT_WEEKS, _("Please choose between 1 and %(most)s weeks.", most=MAX_WEEKS)


@get("/b/{building_id:int}/coverage", guards=[allowed("patrols.review")], name="patrols.coverage")
async def coverage_page(
    request: HTMXRequest, building_id: FromPath[int], place: NamedDependency[Place]
) -> Template:
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
