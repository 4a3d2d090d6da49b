"""Observations made at checkpoints, and turning one into a repair task in one tap."""

from __future__ import annotations

from typing import Any

from hub.db import write_transaction
from hub.errors import Refused
from hub.patrols.tables import CheckIn, Observation
from hub.tasks.actions import NewReport, do_report
from hub.web.i18n import N_, _

KINDS: dict[str, str] = {
    "safety": N_("Safety"),
    "cleanliness": N_("Cleanliness"),
    "repair": N_("Something to repair"),
    "noise": N_("Noise"),
    "other": N_("Other"),
}
SEVERITIES: dict[str, str] = {
    "low": N_("Minor"),
    "medium": N_("Needs attention"),
    "high": N_("Urgent"),
}
TASK_CATEGORY = {"safety": "safety", "cleanliness": "cleanliness"}
MAX_NOTE = 2000


async def do_observe(
    building_id: int, check_in_id: int, user_id: int, *, kind: str, severity: str, note: str
) -> int:
    """Flag something seen at a check-in of the user's own round."""
    if kind not in KINDS or severity not in SEVERITIES:
        raise Refused(_("Please choose one of the options."))
    async with write_transaction():
        visit = (
            await CheckIn.select(CheckIn.id)
            .where(
                (CheckIn.id == check_in_id)
                & (CheckIn.round.user == user_id)
                & (CheckIn.round.route.building == building_id)
            )
            .first()
        )
        if visit is None:
            raise Refused(_("This is no longer there. Reload the page."))
        rows = await Observation.insert(
            Observation(check_in=check_in_id, kind=kind, severity=severity, note=note[:MAX_NOTE])
        ).returning(Observation.id)
    return int(rows[0]["id"])


async def _observation(building_id: int, observation_id: int) -> dict[str, Any]:
    row = (
        await Observation.select(
            Observation.all_columns(),
            Observation.check_in.checkpoint.name.as_alias("checkpoint_name"),
            Observation.check_in.round.started_at.as_alias("seen_on"),
        )
        .where(
            (Observation.id == observation_id)
            & (Observation.check_in.round.route.building == building_id)
        )
        .first()
    )
    if row is None:
        raise Refused(_("This is no longer there. Reload the page."))
    return row


async def do_make_task(building_id: int, observation_id: int, actor: int) -> int:
    """The repair task for an observation, made once: its note and place carried over."""
    observation = await _observation(building_id, observation_id)
    if observation["task"] is not None:
        return int(observation["task"])
    note = observation["note"] or _(KINDS[observation["kind"]])
    report = NewReport(
        title=note.splitlines()[0][:120],
        description=_(
            "Seen on patrol at %(checkpoint)s: %(note)s",
            checkpoint=observation["checkpoint_name"],
            note=note,
        ),
        place_kind="other",
        place=observation["checkpoint_name"][:120],
        category=TASK_CATEGORY.get(observation["kind"], "other"),
    )
    task_id = await do_report(actor, building_id, report)
    async with write_transaction():
        await Observation.update({Observation.task: task_id}).where(
            (Observation.id == observation_id) & Observation.task.is_null()
        )
    return task_id


async def open_observations(building_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
    """Observations no task was made from yet, newest first, for the leader's Today."""
    return (
        await Observation.select(
            Observation.id,
            Observation.kind,
            Observation.severity,
            Observation.note,
            Observation.created_at,
            Observation.check_in.checkpoint.name.as_alias("checkpoint_name"),
            Observation.check_in.round.user.display_name.as_alias("volunteer"),
        )
        .where(
            (Observation.check_in.round.route.building == building_id) & Observation.task.is_null()
        )
        .order_by(Observation.created_at, ascending=False)
        .limit(limit)
    )


async def of_round(round_id: int) -> dict[int, list[dict[str, Any]]]:
    """The round's observations by check-in id."""
    found: dict[int, list[dict[str, Any]]] = {}
    for row in await Observation.select().where(Observation.check_in.round == round_id):
        found.setdefault(row["check_in"], []).append(row)
    return found
