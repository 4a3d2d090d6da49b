"""Every change of state of patrols, each in one write transaction.

Objects are always looked up together with the building they must belong to, so an id from
another building is refused as "not found" whatever the caller passes.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.audit import record
from hub.clock import local_today
from hub.clock import now as _now
from hub.community.roles import grants_of
from hub.community.tables import Building, Membership
from hub.db import engine, write_transaction
from hub.errors import GONE, INVALID, OVER, Refused
from hub.i18n import _
from hub.media.images import StoredImage
from hub.patrols.notifications import forget_shift_reminder, remind_shift
from hub.patrols.schedule_times import LATE_START_WINDOW, local_start, occurrences
from hub.patrols.tables import (
    CheckIn,
    CheckInPhoto,
    Checkpoint,
    PatrolRoute,
    Round,
    Schedule,
    Shift,
    ShiftSignup,
)

GENERATE_WEEKS = 4
MAX_NOTE_LENGTH = 2000
MAX_PHOTOS_PER_CHECK_IN = 3


def new_checkpoint_token() -> str:
    return secrets.token_urlsafe(12)


def _not_found() -> Refused:
    return Refused(_("This is no longer there. Reload the page."), code=GONE)


async def _route(building_id: int, route_id: int) -> dict[str, Any]:
    row = (
        await PatrolRoute.select()
        .where((PatrolRoute.id == route_id) & (PatrolRoute.building == building_id))
        .first()
    )
    if row is None:
        raise _not_found()
    return row


async def _checkpoint(building_id: int, checkpoint_id: int) -> dict[str, Any]:
    row = (
        await Checkpoint.select(Checkpoint.all_columns(), Checkpoint.route.in_order)
        .where((Checkpoint.id == checkpoint_id) & (Checkpoint.route.building == building_id))
        .first()
    )
    if row is None:
        raise _not_found()
    return row


async def _timezone(building_id: int) -> str:
    row = await Building.select(Building.timezone).where(Building.id == building_id).first()
    return row["timezone"] if row else "Asia/Shanghai"


async def _audit(actor: int, building_id: int, action: str, detail: str) -> None:
    await record(actor, action, detail, building=building_id)


# Routes and checkpoints -------------------------------------------------------------------------


def _route_detail(route_id: int, name: str, in_order: bool, allow_unscheduled: bool) -> str:
    return f"route={route_id} {name} in_order={in_order} unscheduled={allow_unscheduled}"


async def do_create_route(
    actor: int, building_id: int, *, name: str, in_order: bool, allow_unscheduled: bool
) -> int:
    async with write_transaction():
        rows = await PatrolRoute.insert(
            PatrolRoute(
                building=building_id,
                name=name,
                in_order=in_order,
                allow_unscheduled=allow_unscheduled,
            )
        ).returning(PatrolRoute.id)
        route_id = int(rows[0]["id"])
        detail = _route_detail(route_id, name, in_order, allow_unscheduled)
        await _audit(actor, building_id, "route.created", detail)
    return route_id


async def do_update_route(
    actor: int,
    building_id: int,
    route_id: int,
    *,
    name: str,
    in_order: bool,
    allow_unscheduled: bool,
) -> None:
    async with write_transaction():
        await _route(building_id, route_id)
        await PatrolRoute.update(
            {
                PatrolRoute.name: name,
                PatrolRoute.in_order: in_order,
                PatrolRoute.allow_unscheduled: allow_unscheduled,
            }
        ).where(PatrolRoute.id == route_id)
        detail = _route_detail(route_id, name, in_order, allow_unscheduled)
        await _audit(actor, building_id, "route.updated", detail)


async def do_add_checkpoint(
    actor: int, building_id: int, route_id: int, *, name: str, location: str
) -> int:
    async with write_transaction():
        route = await _route(building_id, route_id)
        if route["retired_at"] is not None:
            raise _not_found()
        last = (
            await Checkpoint.select(Checkpoint.position)
            .where(Checkpoint.route == route_id)
            .order_by(Checkpoint.position, ascending=False)
            .first()
        )
        rows = await Checkpoint.insert(
            Checkpoint(
                route=route_id,
                name=name,
                location=location,
                position=(last["position"] + 1) if last else 1,
                token=new_checkpoint_token(),
            )
        ).returning(Checkpoint.id)
        checkpoint_id = int(rows[0]["id"])
        detail = f"checkpoint={checkpoint_id} route={route_id} {name}"
        await _audit(actor, building_id, "checkpoint.added", detail)
    return checkpoint_id


async def do_move_checkpoint(actor: int, building_id: int, checkpoint_id: int, *, up: bool) -> None:
    """Swap a checkpoint with its active neighbour above or below."""
    async with write_transaction():
        checkpoint = await _checkpoint(building_id, checkpoint_id)
        position = checkpoint["position"]
        neighbour = (
            await Checkpoint.select(Checkpoint.id, Checkpoint.position)
            .where(
                (Checkpoint.route == checkpoint["route"])
                & Checkpoint.retired_at.is_null()
                & ((Checkpoint.position < position) if up else (Checkpoint.position > position))
            )
            .order_by(Checkpoint.position, ascending=not up)
            .first()
        )
        if neighbour is None:
            return
        await Checkpoint.update({Checkpoint.position: neighbour["position"]}).where(
            Checkpoint.id == checkpoint_id
        )
        await Checkpoint.update({Checkpoint.position: position}).where(
            Checkpoint.id == neighbour["id"]
        )
        detail = f"checkpoint={checkpoint_id} {'up' if up else 'down'}"
        await _audit(actor, building_id, "checkpoint.moved", detail)


async def do_retire_checkpoint(actor: int, building_id: int, checkpoint_id: int) -> None:
    """Take a checkpoint off its route; its check-ins stay in the log book."""
    async with write_transaction():
        await _checkpoint(building_id, checkpoint_id)
        retired = (
            await Checkpoint.update({Checkpoint.retired_at: _now()})
            .where((Checkpoint.id == checkpoint_id) & Checkpoint.retired_at.is_null())
            .returning(Checkpoint.id)
        )
        if retired:
            await _audit(actor, building_id, "checkpoint.retired", f"checkpoint={checkpoint_id}")


async def do_replace_checkpoint_token(actor: int, building_id: int, checkpoint_id: int) -> None:
    """A new poster URL; the old posters then say they no longer work."""
    async with write_transaction():
        await _checkpoint(building_id, checkpoint_id)
        await Checkpoint.update({Checkpoint.token: new_checkpoint_token()}).where(
            Checkpoint.id == checkpoint_id
        )
        await _audit(actor, building_id, "checkpoint.new_token", f"checkpoint={checkpoint_id}")


# Schedules and shifts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyPlan:
    weekdays: str
    start_minute: int
    duration_minutes: int
    volunteers: int
    starts_on: date
    ends_on: date | None

    def detail(self) -> str:
        ends = self.ends_on.isoformat() if self.ends_on else "-"
        return (
            f"days={self.weekdays} start={self.start_minute} minutes={self.duration_minutes} "
            f"volunteers={self.volunteers} from={self.starts_on.isoformat()} to={ends}"
        )


async def _generate(schedule_id: int, building_id: int, *, from_day: date) -> None:
    """Make the schedule's shifts from `from_day` for the coming weeks (idempotent)."""
    schedule = await Schedule.select().where(Schedule.id == schedule_id).first()
    if schedule is None or schedule["retired_at"] is not None:
        return
    timezone = await _timezone(building_id)
    through = local_today(timezone) + timedelta(weeks=GENERATE_WEEKS)
    now = _now()
    existing = {
        row["starts_at"]
        for row in await Shift.select(Shift.starts_at).where(Shift.schedule == schedule_id)
    }
    new = [
        Shift(
            route=schedule["route"],
            schedule=schedule_id,
            starts_at=start,
            ends_at=end,
            volunteers=schedule["volunteers"],
        )
        for start, end in occurrences(
            weekdays=schedule["weekdays"],
            start_minute=schedule["start_minute"],
            duration_minutes=schedule["duration_minutes"],
            starts_on=schedule["starts_on"],
            ends_on=schedule["ends_on"],
            timezone=timezone,
            from_day=from_day,
            through_day=through,
        )
        if start > now and start not in existing
    ]
    if new:
        await Shift.insert(*new)


async def do_create_schedule(actor: int, building_id: int, route_id: int, plan: WeeklyPlan) -> int:
    async with write_transaction():
        route = await _route(building_id, route_id)
        if route["retired_at"] is not None:
            raise _not_found()
        rows = await Schedule.insert(
            Schedule(
                route=route_id,
                weekdays=plan.weekdays,
                start_minute=plan.start_minute,
                duration_minutes=plan.duration_minutes,
                volunteers=plan.volunteers,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
            )
        ).returning(Schedule.id)
        schedule_id = int(rows[0]["id"])
        await _generate(schedule_id, building_id, from_day=plan.starts_on)
        detail = f"schedule={schedule_id} route={route_id} {plan.detail()}"
        await _audit(actor, building_id, "schedule.created", detail)
    return schedule_id


async def _schedule(building_id: int, schedule_id: int) -> dict[str, Any]:
    row = (
        await Schedule.select()
        .where((Schedule.id == schedule_id) & (Schedule.route.building == building_id))
        .first()
    )
    if row is None:
        raise _not_found()
    return row


async def _drop_future_unclaimed(schedule_id: int) -> None:
    claimed = ShiftSignup.select(ShiftSignup.shift)
    await Shift.delete().where(
        (Shift.schedule == schedule_id) & (Shift.starts_at > _now()) & Shift.id.not_in(claimed)
    )


async def do_update_schedule(
    actor: int, building_id: int, schedule_id: int, plan: WeeklyPlan
) -> None:
    """Change the rule; future shifts nobody has taken follow it, taken ones stay as they are."""
    async with write_transaction():
        await _schedule(building_id, schedule_id)
        await Schedule.update(
            {
                Schedule.weekdays: plan.weekdays,
                Schedule.start_minute: plan.start_minute,
                Schedule.duration_minutes: plan.duration_minutes,
                Schedule.volunteers: plan.volunteers,
                Schedule.starts_on: plan.starts_on,
                Schedule.ends_on: plan.ends_on,
            }
        ).where(Schedule.id == schedule_id)
        await _drop_future_unclaimed(schedule_id)
        await _generate(schedule_id, building_id, from_day=plan.starts_on)
        detail = f"schedule={schedule_id} {plan.detail()}"
        await _audit(actor, building_id, "schedule.updated", detail)


async def do_retire_schedule(actor: int, building_id: int, schedule_id: int) -> None:
    async with write_transaction():
        await _schedule(building_id, schedule_id)
        await Schedule.update({Schedule.retired_at: _now()}).where(Schedule.id == schedule_id)
        await _drop_future_unclaimed(schedule_id)
        await _audit(actor, building_id, "schedule.retired", f"schedule={schedule_id}")


async def extend_schedules(building_id: int) -> None:
    """Keep every active schedule's shifts made for the coming weeks (the worker's, no one's
    action: not a do_*)."""
    async with write_transaction():
        schedules = await Schedule.select(Schedule.id).where(
            (Schedule.route.building == building_id) & Schedule.retired_at.is_null()
        )
        today = local_today(await _timezone(building_id))
        for schedule in schedules:
            await _generate(schedule["id"], building_id, from_day=today)


EXTEND_EVERY = timedelta(hours=1)


async def extend_schedules_sweep(now: datetime) -> None:
    """Roll every building's schedules forward, hourly, in the worker: a schedule makes its
    shifts weeks ahead when it is saved, so this only keeps the horizon moving (the patrols
    page used to do it, a write transaction on every view)."""
    buildings = (
        await Schedule.select(Schedule.route.building.as_alias("building"))
        .where(Schedule.retired_at.is_null())
        .distinct()
    )
    for row in buildings:
        await extend_schedules(row["building"])


async def do_create_shift(
    actor: int,
    building_id: int,
    route_id: int,
    *,
    day: date,
    start_minute: int,
    duration_minutes: int,
    volunteers: int,
) -> int:
    """A single extra shift, outside any schedule."""
    async with write_transaction():
        route = await _route(building_id, route_id)
        if route["retired_at"] is not None:
            raise _not_found()
        start = local_start(day, start_minute, await _timezone(building_id)).astimezone(UTC)
        if start < _now():
            raise Refused(_("This time has already passed."), "day")
        rows = await Shift.insert(
            Shift(
                route=route_id,
                starts_at=start,
                ends_at=start + timedelta(minutes=duration_minutes),
                volunteers=volunteers,
            )
        ).returning(Shift.id)
        shift_id = int(rows[0]["id"])
        detail = (
            f"shift={shift_id} route={route_id} starts={start.isoformat()} "
            f"minutes={duration_minutes} volunteers={volunteers}"
        )
        await _audit(actor, building_id, "shift.created", detail)
    return shift_id


# Signing up -------------------------------------------------------------------------------------


async def _locked_shift(building_id: int, shift_id: int) -> dict[str, Any]:
    """The shift, locked for the rest of the transaction on PostgreSQL (SQLite's IMMEDIATE
    transaction already holds the write lock), so two people never take the last place."""
    in_building = await Shift.exists().where(
        (Shift.id == shift_id)
        & (Shift.route.building == building_id)
        & Shift.cancelled_at.is_null()
    )
    if not in_building:
        raise _not_found()
    query = Shift.select(Shift.id, Shift.volunteers, Shift.starts_at, Shift.ends_at).where(
        Shift.id == shift_id
    )
    if engine().engine_type == "postgres":
        query = query.lock_rows("UPDATE")
    row = await query.first()
    assert row is not None
    return row


async def _is_volunteer(building_id: int, user_id: int) -> bool:
    row = (
        await Membership.select(Membership.role)
        .where((Membership.building == building_id) & (Membership.user == user_id))
        .first()
    )
    return row is not None and "patrols.walk" in grants_of(row["role"])


async def _take_place(
    building_id: int, shift_id: int, user_id: int, assigned_by: int | None
) -> bool:
    """Whether the person took a place they did not have."""
    shift = await _locked_shift(building_id, shift_id)
    if shift["ends_at"] <= _now():
        raise Refused(_("This shift is over."))
    if await ShiftSignup.exists().where(
        (ShiftSignup.shift == shift_id) & (ShiftSignup.user == user_id)
    ):
        return False
    taken = await ShiftSignup.count().where(ShiftSignup.shift == shift_id)
    if taken >= shift["volunteers"]:
        raise Refused(_("Sorry, this shift has just been filled."))
    await ShiftSignup.insert(ShiftSignup(shift=shift_id, user=user_id, assigned_by=assigned_by))
    await remind_shift(building_id, shift_id, user_id)
    return True


async def do_sign_up(actor: int, building_id: int, shift_id: int) -> None:
    """The actor takes a place on the shift."""
    async with write_transaction():
        await _take_place(building_id, shift_id, actor, None)


async def do_withdraw(actor: int, building_id: int, shift_id: int) -> None:
    """The actor gives up their place on the shift, before it starts."""
    async with write_transaction():
        shift = await _locked_shift(building_id, shift_id)
        if shift["starts_at"] <= _now():
            raise Refused(_("This shift has already started."))
        await ShiftSignup.delete().where(
            (ShiftSignup.shift == shift_id) & (ShiftSignup.user == actor)
        )
        await forget_shift_reminder(shift_id, actor)


async def do_assign(actor: int, building_id: int, shift_id: int, user_id: int) -> None:
    """A leader puts a volunteer of the building on the shift."""
    async with write_transaction():
        if not await _is_volunteer(building_id, user_id):
            raise Refused(_("Only volunteers and leaders of this building can take shifts."))
        if await _take_place(building_id, shift_id, user_id, actor):
            detail = f"shift={shift_id} user={user_id}"
            await _audit(actor, building_id, "shift.assigned", detail)


async def do_unassign(actor: int, building_id: int, shift_id: int, user_id: int) -> None:
    """A leader takes someone off the shift."""
    async with write_transaction():
        await _locked_shift(building_id, shift_id)
        removed = (
            await ShiftSignup.delete()
            .where((ShiftSignup.shift == shift_id) & (ShiftSignup.user == user_id))
            .returning(ShiftSignup.id)
        )
        await forget_shift_reminder(shift_id, user_id)
        if removed:
            detail = f"shift={shift_id} user={user_id}"
            await _audit(actor, building_id, "shift.unassigned", detail)


# Rounds and check-ins ---------------------------------------------------------------------------


async def do_start_round(
    actor: int, building_id: int, route_id: int, *, shift_id: int | None
) -> int:
    """Start (or go back to) the actor's running round of this route."""
    async with write_transaction():
        route = await _route(building_id, route_id)
        if route["retired_at"] is not None:
            raise _not_found()
        running = (
            await Round.select(Round.id)
            .where((Round.route == route_id) & (Round.user == actor) & Round.finished_at.is_null())
            .first()
        )
        if running is not None:
            return int(running["id"])
        if shift_id is not None:
            on_shift = (
                await ShiftSignup.select(ShiftSignup.shift.ends_at.as_alias("ends_at"))
                .where(
                    (ShiftSignup.shift == shift_id)
                    & (ShiftSignup.user == actor)
                    & (ShiftSignup.shift.route == route_id)
                )
                .first()
            )
            if on_shift is None:
                raise Refused(_("You are not on this shift."))
            if on_shift["ends_at"] + LATE_START_WINDOW < _now():
                raise Refused(
                    _(
                        "This shift ended more than %(hours)s hours ago: it can no longer be "
                        "walked.",
                        hours=int(LATE_START_WINDOW.total_seconds() // 3600),
                    )
                )
        elif not route["allow_unscheduled"]:
            raise Refused(_("Rounds of this route are walked on a shift. Sign up for one first."))
        rows = await Round.insert(Round(route=route_id, shift=shift_id, user=actor)).returning(
            Round.id
        )
    return int(rows[0]["id"])


@dataclass(frozen=True, slots=True)
class CheckInInput:
    client_uuid: str
    device_time: datetime | None
    manual: bool = False
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    photo: StoredImage | None = None


async def do_check_in(
    actor: int, building_id: int, checkpoint_id: int, data: CheckInInput
) -> tuple[int, int]:
    """Record a visit on the actor's running round of the checkpoint's route; returns
    (round id, check-in id). The same client UUID is stored once, whatever the replays.

    The rules are read first; the write is one INSERT that skips a UUID already stored (with
    the photo's row, when there is one), so the write lock is held for a statement or two."""
    try:
        client_uuid = str(uuid.UUID(data.client_uuid))
    except ValueError as error:
        raise Refused(
            _("This check-in could not be read. Please try again."), code=INVALID
        ) from error
    checkpoint = await _checkpoint_with_running_round(actor, building_id, checkpoint_id)
    if checkpoint["running_round"] is None or checkpoint["retired_at"] is not None:
        # A replay of a check-in stored before the round was finished is answered as stored.
        stored = await _own_check_in_by_uuid(client_uuid, actor)
        if stored is not None:
            return stored
        if checkpoint["retired_at"] is not None:
            raise Refused(_("This checkpoint is no longer on the route."), code=GONE)
        raise Refused(_("You have no round running on this route. Start one first."), code=OVER)
    async with write_transaction():
        rows = (
            await CheckIn.insert(
                CheckIn(
                    round=checkpoint["running_round"],
                    checkpoint=checkpoint_id,
                    client_uuid=client_uuid,
                    device_time=data.device_time,
                    manual=data.manual,
                    note=data.note[:MAX_NOTE_LENGTH],
                    latitude=data.latitude,
                    longitude=data.longitude,
                )
            )
            .on_conflict(target=CheckIn.client_uuid, action="DO NOTHING")
            .returning(CheckIn.id)
        )
        if not rows:  # the same check-in, sent twice at once: the other request stored it
            stored = await _own_check_in_by_uuid(client_uuid, actor)
            if stored is None:
                raise Refused(_("This check-in could not be read. Please try again."))
            return stored
        if data.photo is not None:
            await _attach_photo(int(rows[0]["id"]), data.photo)
    return int(checkpoint["running_round"]), int(rows[0]["id"])


# The checkpoint and the actor's running round on its route, in one statement: a check-in's
# rules are read on every tap, and this is the busiest write Hub has.
_CHECKPOINT_WITH_RUNNING_ROUND_SQL = """
SELECT c.retired_at, rd.id AS running_round
FROM hub_checkpoint c
JOIN hub_patrol_route r ON r.id = c.route
LEFT JOIN hub_round rd ON rd.route = c.route AND rd."user" = {} AND rd.finished_at IS NULL
WHERE c.id = {} AND r.building = {}
ORDER BY rd.id
LIMIT 1
"""


async def _checkpoint_with_running_round(
    actor: int, building_id: int, checkpoint_id: int
) -> dict[str, Any]:
    rows = await Checkpoint.raw(
        _CHECKPOINT_WITH_RUNNING_ROUND_SQL, actor, checkpoint_id, building_id
    )
    if not rows:
        raise _not_found()
    return rows[0]


async def _own_check_in_by_uuid(client_uuid: str, user_id: int) -> tuple[int, int] | None:
    """(round, check-in) stored under this UUID by this user; a UUID someone else's check-in
    carries is refused rather than told about."""
    existing = await _check_in_by_uuid(client_uuid)
    if existing is None:
        return None
    if existing["round.user"] != user_id:
        raise Refused(_("This check-in could not be read. Please try again."))
    return int(existing["round"]), int(existing["id"])


async def _attach_photo(
    check_in_id: int, photo: StoredImage, client_uuid: str | None = None
) -> None:
    await CheckInPhoto.insert(
        CheckInPhoto(
            check_in=check_in_id,
            client_uuid=client_uuid,
            file=photo.file,
            thumb=photo.thumb,
            width=photo.width,
            height=photo.height,
        )
    ).on_conflict(target=CheckInPhoto.client_uuid, action="DO NOTHING")


async def _check_in_by_uuid(client_uuid: str) -> dict[str, Any] | None:
    return (
        await CheckIn.select(CheckIn.id, CheckIn.round, CheckIn.round.user)
        .where(CheckIn.client_uuid == client_uuid)
        .first()
    )


async def _own_round(building_id: int, round_id: int, user_id: int) -> dict[str, Any]:
    row = (
        await Round.select(Round.all_columns(), Round.route.in_order)
        .where(
            (Round.id == round_id) & (Round.user == user_id) & (Round.route.building == building_id)
        )
        .first()
    )
    if row is None:
        raise _not_found()
    return row


async def _own_check_in(building_id: int, check_in_id: int, user_id: int) -> None:
    """Refused unless the check-in is on the user's own round in this building."""
    found = await CheckIn.exists().where(
        (CheckIn.id == check_in_id)
        & (CheckIn.round.user == user_id)
        & (CheckIn.round.route.building == building_id)
    )
    if not found:
        raise _not_found()


async def do_add_note(actor: int, building_id: int, check_in_id: int, note: str) -> None:
    async with write_transaction():
        await _own_check_in(building_id, check_in_id, actor)
        await CheckIn.update({CheckIn.note: note[:MAX_NOTE_LENGTH]}).where(
            CheckIn.id == check_in_id
        )


async def do_add_photo(
    actor: int,
    building_id: int,
    check_in_id: int,
    photo: StoredImage,
    client_uuid: str | None = None,
) -> None:
    """Add a photo to a check-in of the actor's own round, up to MAX_PHOTOS_PER_CHECK_IN; a
    photo whose client UUID is already stored is not stored again, even sent twice at once."""
    async with write_transaction():
        await _own_check_in(building_id, check_in_id, actor)
        if client_uuid and await CheckInPhoto.exists().where(
            CheckInPhoto.client_uuid == client_uuid
        ):
            return
        count = await CheckInPhoto.count().where(CheckInPhoto.check_in == check_in_id)
        if count >= MAX_PHOTOS_PER_CHECK_IN:
            raise Refused(
                _("A check-in holds at most %(count)s photos.", count=MAX_PHOTOS_PER_CHECK_IN),
                "photo",
            )
        await _attach_photo(check_in_id, photo, client_uuid)


async def do_finish_round(
    actor: int, building_id: int, round_id: int, skip_reasons: dict[int, str]
) -> None:
    """Finish the actor's round. On a route walked in order, each checkpoint not visited needs a
    reason, which is recorded as a skipped check-in."""
    async with write_transaction():
        walk = await _own_round(building_id, round_id, actor)
        if walk["finished_at"] is not None:
            return
        visited = {
            row["checkpoint"]
            for row in await CheckIn.select(CheckIn.checkpoint).where(CheckIn.round == round_id)
        }
        missing = [
            row
            for row in await Checkpoint.select(Checkpoint.id, Checkpoint.name)
            .where((Checkpoint.route == walk["route"]) & Checkpoint.retired_at.is_null())
            .order_by(Checkpoint.position)
            if row["id"] not in visited
        ]
        if walk["route.in_order"]:
            unexplained = [row["name"] for row in missing if not skip_reasons.get(row["id"])]
            if unexplained:
                raise Refused(
                    _("Please say why these were skipped: %(names)s", names=", ".join(unexplained)),
                    "skip",
                )
        skipped = [
            CheckIn(
                round=round_id,
                checkpoint=row["id"],
                client_uuid=str(uuid.uuid4()),
                skipped=True,
                note=skip_reasons[row["id"]][:MAX_NOTE_LENGTH],
            )
            for row in missing
            if skip_reasons.get(row["id"])
        ]
        if skipped:
            await CheckIn.insert(*skipped)
        await Round.update({Round.finished_at: _now()}).where(Round.id == round_id)
