"""What patrols tell people by push: a volunteer's shift reminder, open places in tonight's
shifts, a missed round and a new observation for the leaders. The words of each kind, the
shift reminder's producers (called by the actions inside their transactions) and the two sweeps
the worker runs; hub.patrols.observations queues the new observations itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub import clock
from hub.community.queries import member_ids
from hub.community.roles import roles_granting
from hub.community.tables import Membership
from hub.db import write_transaction
from hub.i18n import _, ngettext
from hub.notifications.outbox import cancel, notify
from hub.notifications.texts import when_text
from hub.patrols.logbook import local_day, shift_flags
from hub.patrols.observations import KINDS
from hub.patrols.schedule_times import week_start
from hub.patrols.tables import Shift, ShiftSignup
from hub.settings import get_settings
from hub.urls import url

OPEN_PLACES_FROM = time(16, 0)  # tonight's open places are announced from 16:00 local time
NIGHT_ENDS = time(6, 0)  # "tonight" is every shift starting before 06:00 the next morning
TONIGHT_AT_MOST = timedelta(hours=15)  # 16:00 to 06:00, and an hour for a clock change
MISSED_GRACE = timedelta(minutes=30)  # time to finish a round after the shift's end
MISSED_LOOKBACK = timedelta(hours=3)  # shifts that ended longer ago are the log book's business

# The kinds patrols send (declared in hub/patrols/area.py); NEW_OBSERVATION is queued by
# hub.patrols.observations.
SHIFT_REMINDER = "shift_reminder"  # to a volunteer, before their shift
OPEN_PLACES = "open_places"  # tonight's shifts have open places
MISSED_ROUND = "missed_round"  # to leaders


def reminder_key(shift_id: int, user_id: int) -> str:
    return f"shift_reminder:{shift_id}:{user_id}"


# Producers, called by the actions inside their write transaction --------------------------------


async def remind_shift(building_id: int, shift_id: int, user_id: int) -> None:
    """Schedule the volunteer's reminder, HUB_SHIFT_REMINDER_MINUTES before the shift starts
    (at once when that is already past; not at all for a shift that has started)."""
    shift = (
        await Shift.select(
            Shift.starts_at,
            Shift.route.name.as_alias("route"),
            Shift.route.building.name.as_alias("building"),
            Shift.route.building.timezone.as_alias("timezone"),
        )
        .where(Shift.id == shift_id)
        .first()
    )
    if shift is None or shift["starts_at"] <= clock.now():
        return
    before = timedelta(minutes=get_settings().shift_reminder_minutes)
    await notify(
        [user_id],
        SHIFT_REMINDER,
        params={
            "building": shift["building"],
            "route": shift["route"],
            "starts_at": shift["starts_at"].isoformat(),
            "timezone": shift["timezone"],
        },
        url=url("patrols.patrols_home", building_id=building_id),
        due_at=shift["starts_at"] - before,
        key=reminder_key(shift_id, user_id),
    )


async def forget_shift_reminder(shift_id: int, user_id: int) -> None:
    """The volunteer is off the shift: their reminder, if not yet sent, goes."""
    await cancel(reminder_key(shift_id, user_id))


# Sweeps -----------------------------------------------------------------------------------------


def _tonight(now: datetime, timezone: str) -> tuple[str, datetime] | None:
    """(tonight's local date, when tonight ends in UTC), or None before 16:00 local time."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if local.time() < OPEN_PLACES_FROM:
        return None
    morning = datetime.combine(local.date() + timedelta(days=1), NIGHT_ENDS, tzinfo=zone)
    return local.date().isoformat(), morning.astimezone(UTC)


async def open_places_sweep(now: datetime) -> None:
    """From 16:00 in each building's time zone: if tonight's shifts have open places, tell the
    building's volunteers and leaders who are on none of tonight's shifts, once a day."""
    rows = (
        await Shift.select(
            Shift.id,
            Shift.starts_at,
            Shift.volunteers,
            Shift.route.building.as_alias("building_id"),
            Shift.route.building.name.as_alias("building"),
            Shift.route.building.timezone.as_alias("timezone"),
        )
        .where(
            Shift.cancelled_at.is_null()
            & Shift.route.retired_at.is_null()
            & (Shift.starts_at > now)
            & (Shift.starts_at < now + TONIGHT_AT_MOST)
        )
        .order_by(Shift.starts_at)
    )
    tonight: dict[int, list[dict[str, Any]]] = defaultdict(list)
    dates: dict[int, str] = {}
    for row in rows:
        window = _tonight(now, row["timezone"])
        if window is not None and row["starts_at"] < window[1]:
            tonight[row["building_id"]].append(row)
            dates[row["building_id"]] = window[0]
    if not tonight:
        return
    shift_ids = [row["id"] for shifts in tonight.values() for row in shifts]
    on_shift: dict[int, set[int]] = defaultdict(set)
    for signup in await ShiftSignup.select(ShiftSignup.shift, ShiftSignup.user).where(
        ShiftSignup.shift.is_in(shift_ids)
    ):
        on_shift[signup["shift"]].add(signup["user"])
    helpers: dict[int, list[int]] = defaultdict(list)
    for member in await Membership.select(Membership.user, Membership.building).where(
        Membership.building.is_in(list(tonight))
        & Membership.role.is_in(roles_granting("patrols.walk"))
    ):
        helpers[member["building"]].append(member["user"])
    for building_id, shifts in tonight.items():
        open_shifts = [s for s in shifts if s["volunteers"] > len(on_shift[s["id"]])]
        if not open_shifts:
            continue
        busy = set().union(*(on_shift[s["id"]] for s in shifts))
        free = [user for user in helpers[building_id] if user not in busy]
        async with write_transaction():
            await notify(
                free,
                OPEN_PLACES,
                params={
                    "building": shifts[0]["building"],
                    "places": sum(s["volunteers"] - len(on_shift[s["id"]]) for s in open_shifts),
                    "first": open_shifts[0]["starts_at"].isoformat(),
                    "timezone": shifts[0]["timezone"],
                },
                url=url("patrols.patrols_home", building_id=building_id),
                key=f"open_places:{building_id}:{dates[building_id]}",
            )


async def missed_round_sweep(now: datetime) -> None:
    """A shift that ended (half an hour ago or more) with no finished round by its volunteers,
    as the week view and the log book flag it, is told to the building's leaders once."""
    until = now - MISSED_GRACE
    since = until - MISSED_LOOKBACK
    buildings = (
        await Shift.select(
            Shift.route.building.as_alias("id"),
            Shift.route.building.name.as_alias("name"),
            Shift.route.building.timezone.as_alias("timezone"),
        )
        .where(Shift.cancelled_at.is_null() & (Shift.ends_at > since) & (Shift.ends_at <= until))
        .distinct()
    )
    for building in buildings:
        flags = await shift_flags(building["id"], since, until, now=now, unfilled=False)
        if not flags.missed:
            continue
        leaders = await member_ids(building["id"], "patrols.review")
        async with write_transaction():
            for flag in flags.missed:
                monday = week_start(local_day(flag.starts_at, building["timezone"]))
                await notify(
                    leaders,
                    MISSED_ROUND,
                    params={
                        "building": building["name"],
                        "route": flag.route,
                        "starts_at": flag.starts_at.isoformat(),
                        "timezone": building["timezone"],
                        "volunteers": flag.volunteers,
                    },
                    url=url("patrols.logbook", building_id=building["id"])
                    + f"?week={monday.isoformat()}",
                    key=f"missed_round:{flag.shift_id}",
                )


# Words ------------------------------------------------------------------------------------------


def shift_reminder_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("Your patrol starts soon"), _(
        "%(building)s, %(route)s: starts %(when)s. Tap here to start the round.",
        building=params["building"],
        route=params["route"],
        when=when_text(params["starts_at"], params["timezone"]),
    )


def open_places_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("Tonight's patrol needs you"), ngettext(
        "%(building)s: %(num)s place is open on tonight's patrols, the first at %(when)s. "
        "Can you help?",
        "%(building)s: %(num)s places are open on tonight's patrols, the first at %(when)s. "
        "Can you help?",
        int(params["places"]),
        building=params["building"],
        when=when_text(params["first"], params["timezone"]),
    )


def missed_round_text(params: Mapping[str, Any]) -> tuple[str, str]:
    when = when_text(params["starts_at"], params["timezone"])
    title = _("Missed patrol in %(building)s", building=params["building"])
    if params["volunteers"]:
        body = _(
            "%(route)s, %(when)s: %(names)s did not finish a round.",
            route=params["route"],
            when=when,
            names=", ".join(params["volunteers"]),
        )
    else:
        body = _("%(route)s, %(when)s: nobody was on this shift.", route=params["route"], when=when)
    return title, body


def new_observation_text(params: Mapping[str, Any]) -> tuple[str, str]:
    kind = _(KINDS.get(params["kind"], KINDS["other"]))
    if params["severity"] == "high":
        title = _("Urgent, %(checkpoint)s: %(kind)s", checkpoint=params["checkpoint"], kind=kind)
    else:
        title = _("%(checkpoint)s: %(kind)s", checkpoint=params["checkpoint"], kind=kind)
    if params["note"]:
        body = _(
            "%(volunteer)s noticed: %(note)s", volunteer=params["volunteer"], note=params["note"]
        )
    else:
        body = _("%(volunteer)s noticed something on the round.", volunteer=params["volunteer"])
    return title, body
