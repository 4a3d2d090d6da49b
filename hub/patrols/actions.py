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

from hub.community.roles import Role
from hub.community.tables import Building, Membership
from hub.db import engine, write_transaction
from hub.errors import Refused
from hub.media.images import StoredImage
from hub.patrols.notifications import forget_shift_reminder, remind_shift
from hub.patrols.schedule_times import local_start, local_today, occurrences
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
from hub.web.i18n import _

GENERATE_WEEKS = 4
MAX_NOTE_LENGTH = 2000
MAX_PHOTOS_PER_CHECK_IN = 3


def _now() -> datetime:
    return datetime.now(UTC)


def new_checkpoint_token() -> str:
    return secrets.token_urlsafe(12)


def _not_found() -> Refused:
    return Refused(_("This is no longer there. Reload the page."))


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


# Routes and checkpoints -------------------------------------------------------------------------


async def do_create_route(
    building_id: int, *, name: str, in_order: bool, allow_unscheduled: bool
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
    return int(rows[0]["id"])


async def do_update_route(
    building_id: int, route_id: int, *, name: str, in_order: bool, allow_unscheduled: bool
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


async def do_add_checkpoint(building_id: int, route_id: int, *, name: str, location: str) -> int:
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
    return int(rows[0]["id"])


async def do_move_checkpoint(building_id: int, checkpoint_id: int, *, up: bool) -> None:
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


async def do_retire_checkpoint(building_id: int, checkpoint_id: int) -> None:
    """Take a checkpoint off its route; its check-ins stay in the log book."""
    async with write_transaction():
        await _checkpoint(building_id, checkpoint_id)
        await Checkpoint.update({Checkpoint.retired_at: _now()}).where(
            (Checkpoint.id == checkpoint_id) & Checkpoint.retired_at.is_null()
        )


async def do_replace_checkpoint_token(building_id: int, checkpoint_id: int) -> None:
    """A new poster URL; the old posters then say they no longer work."""
    async with write_transaction():
        await _checkpoint(building_id, checkpoint_id)
        await Checkpoint.update({Checkpoint.token: new_checkpoint_token()}).where(
            Checkpoint.id == checkpoint_id
        )


# Schedules and shifts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyPlan:
    weekdays: str
    start_minute: int
    duration_minutes: int
    volunteers: int
    starts_on: date
    ends_on: date | None


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


async def do_create_schedule(building_id: int, route_id: int, plan: WeeklyPlan) -> int:
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


async def do_update_schedule(building_id: int, schedule_id: int, plan: WeeklyPlan) -> None:
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


async def do_retire_schedule(building_id: int, schedule_id: int) -> None:
    async with write_transaction():
        await _schedule(building_id, schedule_id)
        await Schedule.update({Schedule.retired_at: _now()}).where(Schedule.id == schedule_id)
        await _drop_future_unclaimed(schedule_id)


async def do_extend_schedules(building_id: int) -> None:
    """Keep every active schedule's shifts made for the coming weeks."""
    async with write_transaction():
        schedules = await Schedule.select(Schedule.id).where(
            (Schedule.route.building == building_id) & Schedule.retired_at.is_null()
        )
        today = local_today(await _timezone(building_id))
        for schedule in schedules:
            await _generate(schedule["id"], building_id, from_day=today)


async def do_create_shift(
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
    return int(rows[0]["id"])


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
    return row is not None and (Role.from_key(row["role"]) or Role.RESIDENT) >= Role.VOLUNTEER


async def _take_place(
    building_id: int, shift_id: int, user_id: int, assigned_by: int | None
) -> None:
    shift = await _locked_shift(building_id, shift_id)
    if shift["ends_at"] <= _now():
        raise Refused(_("This shift is over."))
    if await ShiftSignup.exists().where(
        (ShiftSignup.shift == shift_id) & (ShiftSignup.user == user_id)
    ):
        return
    taken = await ShiftSignup.count().where(ShiftSignup.shift == shift_id)
    if taken >= shift["volunteers"]:
        raise Refused(_("Sorry, this shift has just been filled."))
    await ShiftSignup.insert(ShiftSignup(shift=shift_id, user=user_id, assigned_by=assigned_by))
    await remind_shift(building_id, shift_id, user_id)


async def do_sign_up(building_id: int, shift_id: int, user_id: int) -> None:
    async with write_transaction():
        await _take_place(building_id, shift_id, user_id, None)


async def do_withdraw(building_id: int, shift_id: int, user_id: int) -> None:
    async with write_transaction():
        shift = await _locked_shift(building_id, shift_id)
        if shift["starts_at"] <= _now():
            raise Refused(_("This shift has already started."))
        await ShiftSignup.delete().where(
            (ShiftSignup.shift == shift_id) & (ShiftSignup.user == user_id)
        )
        await forget_shift_reminder(shift_id, user_id)


async def do_assign(building_id: int, shift_id: int, user_id: int, *, actor: int) -> None:
    async with write_transaction():
        if not await _is_volunteer(building_id, user_id):
            raise Refused(_("Only volunteers and leaders of this building can take shifts."))
        await _take_place(building_id, shift_id, user_id, actor)


async def do_unassign(building_id: int, shift_id: int, user_id: int) -> None:
    async with write_transaction():
        await _locked_shift(building_id, shift_id)
        await ShiftSignup.delete().where(
            (ShiftSignup.shift == shift_id) & (ShiftSignup.user == user_id)
        )
        await forget_shift_reminder(shift_id, user_id)


# Rounds and check-ins ---------------------------------------------------------------------------


async def do_start_round(
    building_id: int, route_id: int, user_id: int, *, shift_id: int | None
) -> int:
    """Start (or go back to) the user's running round of this route."""
    async with write_transaction():
        route = await _route(building_id, route_id)
        if route["retired_at"] is not None:
            raise _not_found()
        running = (
            await Round.select(Round.id)
            .where(
                (Round.route == route_id) & (Round.user == user_id) & Round.finished_at.is_null()
            )
            .first()
        )
        if running is not None:
            return int(running["id"])
        if shift_id is not None:
            on_shift = await ShiftSignup.exists().where(
                (ShiftSignup.shift == shift_id)
                & (ShiftSignup.user == user_id)
                & (ShiftSignup.shift.route == route_id)
            )
            if not on_shift:
                raise Refused(_("You are not on this shift."))
        elif not route["allow_unscheduled"]:
            raise Refused(_("Rounds of this route are walked on a shift. Sign up for one first."))
        rows = await Round.insert(Round(route=route_id, shift=shift_id, user=user_id)).returning(
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
    building_id: int, checkpoint_id: int, user_id: int, data: CheckInInput
) -> tuple[int, int]:
    """Record a visit on the user's running round of the checkpoint's route; returns
    (round id, check-in id). The same client UUID is stored once, whatever the replays."""
    try:
        client_uuid = str(uuid.UUID(data.client_uuid))
    except ValueError as error:
        raise Refused(_("This check-in could not be read. Please try again.")) from error
    async with write_transaction():
        existing = await _check_in_by_uuid(client_uuid)
        if existing is not None:
            if existing["round.user"] != user_id:
                raise Refused(_("This check-in could not be read. Please try again."))
            return int(existing["round"]), int(existing["id"])
        checkpoint = await _checkpoint(building_id, checkpoint_id)
        if checkpoint["retired_at"] is not None:
            raise Refused(_("This checkpoint is no longer on the route."))
        running = (
            await Round.select(Round.id)
            .where(
                (Round.route == checkpoint["route"])
                & (Round.user == user_id)
                & Round.finished_at.is_null()
            )
            .first()
        )
        if running is None:
            raise Refused(_("You have no round running on this route. Start one first."))
        await CheckIn.insert(
            CheckIn(
                round=running["id"],
                checkpoint=checkpoint_id,
                client_uuid=client_uuid,
                device_time=data.device_time,
                manual=data.manual,
                note=data.note[:MAX_NOTE_LENGTH],
                latitude=data.latitude,
                longitude=data.longitude,
            )
        ).on_conflict(target=CheckIn.client_uuid, action="DO NOTHING")
        stored = await _check_in_by_uuid(client_uuid)
        assert stored is not None
        if data.photo is not None:
            await _attach_photo(int(stored["id"]), data.photo)
    return int(stored["round"]), int(stored["id"])


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


async def do_add_note(building_id: int, check_in_id: int, user_id: int, note: str) -> None:
    async with write_transaction():
        await _own_check_in(building_id, check_in_id, user_id)
        await CheckIn.update({CheckIn.note: note[:MAX_NOTE_LENGTH]}).where(
            CheckIn.id == check_in_id
        )


async def do_add_photo(
    building_id: int,
    check_in_id: int,
    user_id: int,
    photo: StoredImage,
    client_uuid: str | None = None,
) -> None:
    """Add a photo to a check-in of the user's own round, up to MAX_PHOTOS_PER_CHECK_IN; a photo
    whose client UUID is already stored is not stored again, even sent twice at once."""
    async with write_transaction():
        await _own_check_in(building_id, check_in_id, user_id)
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
    building_id: int, round_id: int, user_id: int, skip_reasons: dict[int, str]
) -> None:
    """Finish a round. On a route walked in order, each checkpoint not visited needs a reason,
    which is recorded as a skipped check-in."""
    async with write_transaction():
        walk = await _own_round(building_id, round_id, user_id)
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
