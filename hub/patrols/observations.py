"""Observations made at checkpoints, and turning one into a repair task in one tap."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import anyio.to_thread

from hub import clock
from hub.community.queries import member_ids
from hub.db import write_transaction
from hub.errors import Refused
from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, translations
from hub.media.images import StoredImage, copy_stored
from hub.notifications.outbox import notify
from hub.patrols.tables import CheckIn, CheckInPhoto, Observation
from hub.tasks.actions import NewReport, do_report
from hub.urls import url

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
# The repair task's category of an observation of another kind, from the words of its note (in
# either language), the first that fits; "other" when none does.
CATEGORY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern, re.IGNORECASE))
    for category, pattern in (
        ("lift", r"\b(lifts?|elevators?)\b|电梯"),
        ("lighting", r"\b(lights?|lamps?|bulbs?|lighting)\b|灯|照明"),
        (
            "electrics",
            r"\b(sockets?|wires?|wiring|power|electric\w*|fuses?)\b|电线|插座|电闸|停电|漏电",
        ),
        ("water", r"\b(water|leaks?|leaking|pipes?|taps?|drains?|flood\w*)\b|水|漏|管道"),
        ("door", r"\b(doors?|locks?|gates?|keys?)\b|门|锁"),
        ("cleanliness", r"\b(rubbish|litter|dirty|trash|garbage|smell\w*)\b|垃圾|脏|异味"),
        ("safety", r"\b(fire|smoke|hazard|extinguishers?)\b|消防|灭火|烟"),
    )
)
MAX_NOTE = 2000
OPEN_FOR = timedelta(days=14)  # how long an observation waits on the leaders' Today
NOTE_SHOWN = 160  # of an observation's note, in the leaders' notification
NEW_OBSERVATION = "new_observation"  # the kind of that notification (hub/patrols/area.py)


async def do_observe(
    actor: int, building_id: int, check_in_id: int, *, kind: str, severity: str, note: str
) -> int:
    """Flag something seen at a check-in of the actor's own round."""
    if kind not in KINDS or severity not in SEVERITIES:
        raise Refused(_("Please choose one of the options."))
    async with write_transaction():
        visit = (
            await CheckIn.select(CheckIn.id)
            .where(
                (CheckIn.id == check_in_id)
                & (CheckIn.round.user == actor)
                & (CheckIn.round.route.building == building_id)
            )
            .first()
        )
        if visit is None:
            raise Refused(_("This is no longer there. Reload the page."))
        rows = await Observation.insert(
            Observation(check_in=check_in_id, kind=kind, severity=severity, note=note[:MAX_NOTE])
        ).returning(Observation.id)
        await _tell_leaders(building_id, check_in_id, actor, kind, severity, note)
    return int(rows[0]["id"])


async def _tell_leaders(
    building_id: int, check_in_id: int, observer: int, kind: str, severity: str, note: str
) -> None:
    """A new observation goes to the building's leaders, the observer excepted; its words are
    in hub.patrols.notifications."""
    seen = (
        await CheckIn.select(
            CheckIn.round,
            CheckIn.round.user.display_name.as_alias("volunteer"),
            CheckIn.checkpoint.name.as_alias("checkpoint"),
            CheckIn.round.route.building.name.as_alias("building"),
        )
        .where(CheckIn.id == check_in_id)
        .first()
    )
    assert seen is not None  # do_observe has just found it
    leaders = await member_ids(building_id, "patrols.review")
    await notify(
        [user for user in leaders if user != observer],
        NEW_OBSERVATION,
        params={
            "building": seen["building"],
            "checkpoint": seen["checkpoint"],
            "volunteer": seen["volunteer"],
            "kind": kind,
            "severity": severity,
            "note": note[:NOTE_SHOWN],
        },
        url=url("patrols.round", building_id=building_id, round_id=seen["round"]),
    )


async def _observation(building_id: int, observation_id: int) -> dict[str, Any]:
    row = (
        await Observation.select(
            Observation.all_columns(),
            Observation.check_in.checkpoint.name.as_alias("checkpoint_name"),
            Observation.check_in.round.as_alias("round_id"),
            Observation.check_in.round.user.as_alias("observer"),
            Observation.check_in.round.user.language.as_alias("observer_language"),
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


async def _copied_photos(check_in_id: int) -> list[StoredImage]:
    """Copies of the check-in's photos for the task, which keeps its own like any other."""
    files = [
        row["file"]
        for row in await CheckInPhoto.select(CheckInPhoto.file)
        .where(CheckInPhoto.check_in == check_in_id)
        .order_by(CheckInPhoto.id)
    ]
    copies = [await anyio.to_thread.run_sync(copy_stored, file) for file in files]
    return [copy for copy in copies if copy is not None]


def task_category(kind: str, note: str) -> str:
    """The repair task's category for an observation: from its kind, else from its words."""
    if kind in TASK_CATEGORY:
        return TASK_CATEGORY[kind]
    return next((category for category, words in CATEGORY_WORDS if words.search(note)), "other")


async def do_make_task(actor: int, building_id: int, observation_id: int) -> int:
    """The repair task for an observation, made once: its note, place and photos carried over,
    and a link both ways (the observation names the task; the task's timeline, the round).

    The volunteer who saw it is the task's reporter (told when it is fixed), and its words are
    in their language, as their note is, whatever the language of the leader making it."""
    observation = await _observation(building_id, observation_id)
    if observation["task"] is not None:
        return int(observation["task"])
    language = observation["observer_language"]
    words = translations(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    note = observation["note"] or words.gettext(KINDS[observation["kind"]])
    report = NewReport(
        title=note.splitlines()[0][:120],
        description=words.gettext("Seen on patrol at %(checkpoint)s: %(note)s")
        % {"checkpoint": observation["checkpoint_name"], "note": note},
        place_kind="other",
        place=observation["checkpoint_name"][:120],
        category=task_category(observation["kind"], observation["note"]),
        seen_on_patrol=url(
            "patrols.round", building_id=building_id, round_id=observation["round_id"]
        ),
        reporter=observation["observer"],
    )
    photos = await _copied_photos(observation["check_in"])
    async with write_transaction():
        current = await Observation.select(Observation.task).where(Observation.id == observation_id)
        if current and current[0]["task"] is not None:
            return int(current[0]["task"])
        task_id = await do_report(actor, building_id, report, photos)
        await Observation.update({Observation.task: task_id}).where(
            Observation.id == observation_id
        )
    return task_id


# Leaders' Today reads this on every view: written out, as composing its joins through the ORM
# (three steps through foreign keys, each copying columns) cost several times the query.
_OPEN_OBSERVATIONS_SQL = """
SELECT o.id, o.kind, o.severity, o.note, o.created_at,
       cp.name AS checkpoint_name, u.display_name AS volunteer
FROM hub_observation o
JOIN hub_check_in ci ON ci.id = o.check_in
JOIN hub_checkpoint cp ON cp.id = ci.checkpoint
JOIN hub_round rd ON rd.id = ci.round
JOIN hub_patrol_route r ON r.id = rd.route
JOIN hub_user u ON u.id = rd."user"
WHERE o.created_at >= {} AND r.building = {} AND o.task IS NULL
ORDER BY o.created_at DESC
LIMIT {}
"""


async def open_observations(building_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
    """The last OPEN_FOR days' observations no task was made from yet, newest first, for the
    leader's Today (read from the time index, so a long history costs nothing)."""
    since = clock.now() - OPEN_FOR
    return await Observation.raw(_OPEN_OBSERVATIONS_SQL, since, building_id, limit)


async def of_round(round_id: int) -> dict[int, list[dict[str, Any]]]:
    """The round's observations by check-in id."""
    found: dict[int, list[dict[str, Any]]] = {}
    for row in await Observation.select().where(Observation.check_in.round == round_id):
        found.setdefault(row["check_in"], []).append(row)
    return found
