"""What a task can be and who may move it: statuses, the one table of moves, and the choices of
the report form (places, categories, priorities) with the skills each category calls for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.i18n import N_


class Status(StrEnum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.REPORTED: N_("Reported"),
    Status.ACCEPTED: N_("Accepted"),
    Status.ASSIGNED: N_("Assigned"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.DONE: N_("Done"),
    Status.VERIFIED: N_("Verified"),
    Status.REJECTED: N_("Rejected"),
}
OPEN = (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)
CLOSED = (Status.VERIFIED, Status.REJECTED)
BOARD_ORDER = tuple(Status)  # the board's groups, in the order work goes


class Actor(StrEnum):
    """What a person is to a task: these, not their role alone, decide the moves they may make."""

    REPORTER = "reporter"
    ASSIGNEE = "assignee"
    VOLUNTEER = "volunteer"  # a volunteer or leader of the building
    LEADER = "leader"  # a leader of the building, or an admin of its community


@dataclass(frozen=True, slots=True)
class Move:
    key: str
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]
    needs_reason: bool = False
    on_task_page: bool = True  # "assign" is made on its own screen, with the people to assign


def _move(
    key: str,
    sources: set[Status],
    target: Status,
    actors: set[Actor],
    *,
    needs_reason: bool = False,
    on_task_page: bool = True,
) -> Move:
    return Move(key, frozenset(sources), target, frozenset(actors), needs_reason, on_task_page)


S, A = Status, Actor
# THE table: every change of status, from where, to where, and who may make it.
MOVES: dict[str, Move] = {
    move.key: move
    for move in (
        _move("accept", {S.REPORTED}, S.ACCEPTED, {A.LEADER}),
        _move(
            "assign",
            {S.REPORTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS},
            S.ASSIGNED,  # from reported or accepted; a task already being worked on keeps its
            {A.LEADER},  # status and only changes hands
            on_task_page=False,
        ),
        _move("claim", {S.ACCEPTED}, S.ASSIGNED, {A.VOLUNTEER}),
        _move("start", {S.ASSIGNED}, S.IN_PROGRESS, {A.ASSIGNEE, A.LEADER}),
        _move("finish", {S.ASSIGNED, S.IN_PROGRESS}, S.DONE, {A.ASSIGNEE, A.LEADER}),
        _move("verify", {S.DONE}, S.VERIFIED, {A.REPORTER, A.LEADER}),
        _move("reopen", {S.DONE}, S.ASSIGNED, {A.REPORTER, A.LEADER}, needs_reason=True),
        _move("reject", {S.REPORTED, S.ACCEPTED}, S.REJECTED, {A.LEADER}, needs_reason=True),
    )
}
del S, A

MOVE_LABELS = {
    "accept": N_("Accept"),
    "assign": N_("Assign"),
    "claim": N_("I'll take it"),
    "start": N_("Start work"),
    "finish": N_("Mark as done"),
    "verify": N_("Yes, it is fixed"),
    "reopen": N_("Reopen"),
    "reject": N_("Reject"),
}


def actors(grants: frozenset[str], *, is_reporter: bool, is_assignee: bool) -> frozenset[Actor]:
    """Who someone is to a task, from what their role grants and what they did."""
    found = set()
    if is_reporter:
        found.add(Actor.REPORTER)
    if is_assignee:
        found.add(Actor.ASSIGNEE)
    if "tasks.work" in grants:
        found.add(Actor.VOLUNTEER)
    if "tasks.assign" in grants:
        found.add(Actor.LEADER)
    return frozenset(found)


def may(move: Move, status: Status, who: frozenset[Actor]) -> bool:
    return status in move.sources and bool(move.actors & who)


def moves_for(status: Status, who: frozenset[Actor]) -> list[Move]:
    """The moves these actors may make on a task in this status, in the table's order."""
    return [move for move in MOVES.values() if may(move, status, who)]


# The report form's choices --------------------------------------------------------------------

PLACES: dict[str, str] = {
    "lobby": N_("Lobby"),
    "stairwell": N_("Stairwell and floor"),
    "lift": N_("Lift"),
    "roof": N_("Roof"),
    "basement": N_("Basement"),
    "outside": N_("Outside"),
    "other": N_("Other"),
}

CATEGORIES: dict[str, str] = {
    "door": N_("Door and locks"),
    "lighting": N_("Lighting"),
    "water": N_("Water"),
    "electrics": N_("Electrics"),
    "lift": N_("Lift"),
    "cleanliness": N_("Cleanliness"),
    "safety": N_("Safety"),
    "other": N_("Other"),
}

# The skills of hub.accounts.skills that fit each category, for the assign screen.
CATEGORY_SKILLS: dict[str, frozenset[str]] = {
    "door": frozenset({"carpentry", "locks"}),
    "lighting": frozenset({"electrics"}),
    "water": frozenset({"plumbing"}),
    "electrics": frozenset({"electrics"}),
    "lift": frozenset({"electrics"}),
    "cleanliness": frozenset({"cleaning"}),
    "safety": frozenset({"first_aid", "electrics"}),
    "other": frozenset({"other"}),
}

PRIORITIES: dict[str, str] = {
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
}
PRIORITY_RANK = {key: rank for rank, key in enumerate(PRIORITIES)}
