"""A district's year in Hub, for the load benchmark: one community of 50 buildings, 5,000
residents, 500 volunteers, a year of patrols (about 300,000 check-ins), 5,000 repair tasks with
their timelines, 1,000 events with 50,000 answers, notices, 3,000 push subscriptions and the
outbox history they left.

    .venv/bin/python bench/district.py [--buildings 50]

Writes into the database of HUB_DATABASE_URL / HUB_DATA_DIR (it must be empty and migrated:
the script migrates it first), deterministically: the same seed gives the same rows. Building 1
is the one the benchmark measures: two routes with 16 shifts a day and 300 volunteers, as one
busy building's year. Everyone's password is BENCH_PASSWORD. Ends with ANALYZE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # piccolo_conf.py is found from the working directory

from piccolo.table import Table  # noqa: E402

from hub.accounts.passwords import hash_password  # noqa: E402
from hub.accounts.tables import User  # noqa: E402
from hub.community.tables import Building, Community, CommunityAdmin, Membership  # noqa: E402
from hub.db import database_lifespan, engine, write_transaction  # noqa: E402
from hub.events.tables import Answer, Event, Notice  # noqa: E402
from hub.migrate import migrate  # noqa: E402
from hub.notifications.tables import Notification, PushSubscription  # noqa: E402
from hub.patrols.tables import (  # noqa: E402
    CheckIn,
    Checkpoint,
    Observation,
    PatrolRoute,
    Round,
    Shift,
    ShiftSignup,
)
from hub.tasks.tables import Task, TaskAssignee, TaskEntry  # noqa: E402

BENCH_PASSWORD = "district bench password"  # noqa: S105 - a benchmark's test data
SEED = 2026
ZONE = ZoneInfo("Asia/Shanghai")
DAYS = 365
DAYS_AHEAD = 14
MEASURED_VOLUNTEERS = 300  # building 1's
VOLUNTEERS = 500
RESIDENTS_PER_BUILDING = 100
LEADERS_PER_BUILDING = 2
TASKS = 5_000
EVENTS = 1_000
ANSWERS = 50_000
NOTICES_PER_BUILDING = 10
SUBSCRIPTIONS = 3_000
SENT_NOTIFICATIONS = 60_000
# Building 1: two routes, a shift every 90 minutes from 06:00 to 18:00 on each (16 a day).
MEASURED_SLOTS = [(6 * 60 + 90 * n, 90) for n in range(8)]
OTHER_SLOTS = [(19 * 60, 60), (22 * 60, 60)]  # every other building: two evening rounds
CHECKPOINT_NAMES = [
    "Lobby",
    "Mailboxes",
    "Stairwell 3F",
    "Stairwell 6F",
    "Roof door",
    "Bike shed",
    "Basement garage",
    "Back gate",
]


@dataclass
class Ids:
    """Explicit primary keys, so rows can point at each other before they are written."""

    counters: dict[str, int] = field(default_factory=dict)

    def next(self, table: type[Table]) -> int:
        name = table._meta.tablename
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]


@dataclass
class District:
    rows: dict[type[Table], list[dict[str, Any]]] = field(default_factory=dict)
    ids: Ids = field(default_factory=Ids)

    def add(self, table: type[Table], **values: Any) -> int:
        values.setdefault("id", self.ids.next(table))
        self.rows.setdefault(table, []).append(values)
        return int(values["id"])


def local(day: date, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(minutes=minute)


def phone_numbers() -> Iterator[str]:
    n = 13_700_000_000
    while True:
        n += 1
        yield str(n)


def build(buildings: int, today: date, password: str) -> District:
    """The whole plan, read top down: people, patrols, tasks, events, notifications."""
    rng = random.Random(SEED)
    d = District()
    phones = phone_numbers()
    created = datetime.combine(today - timedelta(days=DAYS + 30), datetime.min.time(), UTC)

    def person(name: str, **extra: Any) -> int:
        return d.add(
            User,
            display_name=name,
            phone=extra.pop("phone", None) or next(phones),
            email=extra.pop("email", None),
            password_hash=password,
            language=extra.pop("language", "zh"),
            large_text=False,
            active=True,
            created_at=created,
        )

    community = d.add(Community, name="Dekang district", created_at=created)
    admin = person("District admin", email="admin@district.example", phone="13600000000")
    d.add(CommunityAdmin, user=admin, community=community)

    building_ids = [
        d.add(
            Building,
            community=community,
            name=f"Building {n}",
            address=f"{n} Dekang Road",
            timezone="Asia/Shanghai",
            join_token=f"bench-join-{n:03d}",
            created_at=created,
        )
        for n in range(1, buildings + 1)
    ]

    def member(user: int, building: int, role: str) -> None:
        d.add(Membership, user=user, building=building, role=role, created_at=created)

    leaders: dict[int, list[int]] = {}
    volunteers: dict[int, list[int]] = {b: [] for b in building_ids}
    residents: dict[int, list[int]] = {}
    for b in building_ids:
        leaders[b] = [person(f"Leader {b}-{k}", language="en") for k in range(LEADERS_PER_BUILDING)]
        for user in leaders[b]:
            member(user, b, "leader")
        residents[b] = [person(f"Resident {b}-{k}") for k in range(RESIDENTS_PER_BUILDING)]
        for user in residents[b]:
            member(user, b, "resident")
    others = building_ids[1:] or building_ids
    for k in range(VOLUNTEERS):
        b = building_ids[0] if k < MEASURED_VOLUNTEERS else others[k % len(others)]
        user = person(f"Volunteer {k}", language="en" if k % 3 == 0 else "zh")
        volunteers[b].append(user)
        member(user, b, "volunteer")

    # Patrols -----------------------------------------------------------------------------
    first_day = today - timedelta(days=DAYS - DAYS_AHEAD)
    days = [first_day + timedelta(days=n) for n in range(DAYS)]
    now = datetime.now(UTC)
    for b in building_ids:
        measured = b == building_ids[0]
        for r in range(2 if measured else 1):
            route = d.add(
                PatrolRoute,
                building=b,
                name=f"{'North' if r == 0 else 'South'} round",
                in_order=False,
                allow_unscheduled=True,
                created_at=created,
            )
            checkpoints = [
                d.add(
                    Checkpoint,
                    route=route,
                    name=name,
                    location="",
                    position=p,
                    token=f"bench-{route}-{p}",
                    created_at=created,
                )
                for p, name in enumerate(CHECKPOINT_NAMES)
            ]
            slots = MEASURED_SLOTS if measured else OTHER_SLOTS
            people = volunteers[b] or leaders[b]
            for day in days:
                for start_minute, minutes in slots:
                    starts = local(day, start_minute)
                    places = rng.randint(2, 4) if measured else 2
                    shift = d.add(
                        Shift,
                        route=route,
                        schedule=None,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=minutes),
                        volunteers=places,
                        created_at=created,
                    )
                    taken = rng.randint(0, places) if measured else rng.randint(1, places)
                    on_shift = rng.sample(people, min(taken, len(people)))
                    for user in on_shift:
                        d.add(ShiftSignup, shift=shift, user=user, created_at=created)
                    walked = rng.random() < (0.66 if measured else 0.95)
                    if starts > now or not on_shift or not walked:
                        continue
                    walker = on_shift[0]
                    finished = starts + timedelta(minutes=minutes - 5)
                    round_id = d.add(
                        Round,
                        route=route,
                        shift=shift,
                        user=walker,
                        started_at=starts,
                        finished_at=finished,
                    )
                    visited = checkpoints if rng.random() < 0.8 else checkpoints[:-1]
                    for p, checkpoint in enumerate(visited):
                        at = starts + timedelta(minutes=2 + p * 5)
                        check_in = d.add(
                            CheckIn,
                            round=round_id,
                            checkpoint=checkpoint,
                            client_uuid=f"{round_id:012d}-{p:04d}-bench-{checkpoint:010d}"[:36],
                            device_time=at,
                            recorded_at=at,
                            manual=False,
                            skipped=False,
                            note="",
                        )
                        if rng.random() < 0.02:
                            d.add(
                                Observation,
                                check_in=check_in,
                                kind=rng.choice(["safety", "cleanliness", "repair", "other"]),
                                severity=rng.choice(["low", "medium", "high"]),
                                note="Light out" if p % 2 else "Door left open",
                                task=None,
                                created_at=at,
                            )

    # Repair tasks --------------------------------------------------------------------------
    statuses = ["verified"] * 60 + ["done"] * 10 + ["rejected"] * 10
    statuses += ["reported"] * 6 + ["accepted"] * 4 + ["assigned"] * 5 + ["in_progress"] * 5
    for n in range(TASKS):
        b = building_ids[n % len(building_ids)]
        reported = now - timedelta(minutes=rng.randint(60, DAYS * 24 * 60))
        status = rng.choice(statuses)
        reporter = rng.choice(residents[b])
        task = d.add(
            Task,
            building=b,
            reporter=reporter,
            title=f"Repair {n}: {rng.choice(['lobby light', 'door closer', 'leak', 'lift noise'])}",
            description="Seen this morning.",
            place_kind=rng.choice(["lobby", "stairwell", "lift", "basement", "outside"]),
            place="",
            category=rng.choice(["door", "lighting", "water", "electrics", "lift"]),
            status=status,
            priority=rng.choice(["urgent", "high", "normal", "normal", "low"]),
            due_on=None,
            done_at=reported + timedelta(days=2) if status in {"done", "verified"} else None,
            created_at=reported,
            updated_at=reported + timedelta(days=2),
            client_uuid=None,
            device_time=None,
        )
        d.add(
            TaskEntry,
            task=task,
            actor=reporter,
            kind="created",
            detail="",
            text="",
            created_at=reported,
        )
        fixer = rng.choice(volunteers[b] or leaders[b])
        if status not in {"reported", "accepted", "rejected"}:
            d.add(TaskAssignee, task=task, user=fixer, created_at=reported)
        for k in range(rng.randint(1, 4)):
            d.add(
                TaskEntry,
                task=task,
                actor=rng.choice(leaders[b]),
                kind="comment",
                detail="",
                text=f"Comment {k}: looked at it.",
                created_at=reported + timedelta(hours=k + 1),
            )
        d.add(
            TaskEntry,
            task=task,
            actor=leaders[b][0],
            kind="status",
            detail=status,
            text="",
            created_at=reported + timedelta(days=2),
        )

    # Events and notices --------------------------------------------------------------------
    answers_per_event = ANSWERS // EVENTS
    for n in range(EVENTS):
        b = building_ids[n % len(building_ids)]
        wide = n % 25 == 0
        starts = local(first_day + timedelta(days=rng.randint(0, DAYS - 1)), 19 * 60)
        if n == 0:  # the event page the benchmark loads: building 1's next event
            starts = local(today + timedelta(days=3), 19 * 60)
        capacity = rng.choice([None, 30, 60])
        event = d.add(
            Event,
            community=community,
            building=None if wide else b,
            title=f"Neighbours' evening {n}",
            description="Tea and a chat in the station.",
            place="Neighbour station",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            rsvp_deadline=None,
            guests_allowed=True,
            max_guests=2,
            cover="",
            cancelled_at=None,
            created_by=leaders[b][0],
            created_at=starts - timedelta(days=14),
        )
        taken = 0
        for queue, user in enumerate(rng.sample(residents[b], answers_per_event)):
            status = rng.choice(["going", "going", "maybe", "no"])
            guests = rng.randint(0, 1)
            full = capacity is not None and taken + 1 + guests > capacity
            waitlisted = status == "going" and full
            if status == "going" and not waitlisted:
                taken += 1 + guests
            d.add(
                Answer,
                event=event,
                user=user,
                status=status,
                guests=guests,
                waitlisted=waitlisted,
                queue=queue + 1,
                attended=starts < now and rng.random() < 0.7,
                promoted_at=None,
                seen_at=None,
                updated_at=starts - timedelta(days=3),
            )
    for b in building_ids:
        for k in range(NOTICES_PER_BUILDING):
            d.add(
                Notice,
                community=community,
                building=b,
                title=f"Notice {k}: water off on Tuesday",
                text="From 9:00 to 12:00.",
                pinned=k == 0,
                urgent=False,
                ends_on=None if k < 2 else today - timedelta(days=k * 20),
                photo="",
                retired_at=None,
                created_by=leaders[b][0],
                created_at=now - timedelta(days=k * 30 + 1),
            )

    # Push subscriptions and the outbox's history -------------------------------------------
    everyone = [row["id"] for row in d.rows[User]]
    subscribed = rng.sample(everyone, min(SUBSCRIPTIONS, len(everyone)))
    for user in subscribed:
        d.add(
            PushSubscription,
            user=user,
            endpoint=f"https://push.bench.example/send/{user}",
            p256dh="B" * 87,
            auth="A" * 22,
            label="Phone",
            created_at=created,
            last_success_at=now - timedelta(days=1),
        )
    for n in range(SENT_NOTIFICATIONS):
        when = now - timedelta(minutes=rng.randint(10, DAYS * 24 * 60))
        d.add(
            Notification,
            user=rng.choice(subscribed),
            kind="task_assigned",
            params=json.dumps({"task": n}),
            url="/",
            key=f"bench-{n}",
            due_at=when,
            state="sent",
            attempts=1,
            next_attempt_at=when,
            claimed_until=None,
            claim_token=None,
            sent_at=when,
            last_error="",
            created_at=when,
        )
    return d


ORDER: list[type[Table]] = [
    Community,
    User,
    CommunityAdmin,
    Building,
    Membership,
    PatrolRoute,
    Checkpoint,
    Shift,
    ShiftSignup,
    Round,
    CheckIn,
    Task,
    TaskEntry,
    TaskAssignee,
    Observation,
    Event,
    Answer,
    Notice,
    PushSubscription,
    Notification,
]


def batches(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def write(district: District) -> None:
    for table in ORDER:
        rows = district.rows.get(table, [])
        # Every column is bound, not only those given: PostgreSQL takes at most 32,767 values.
        size = max(1, 30_000 // len(table._meta.columns))
        for batch in batches(rows, size):
            async with write_transaction():
                await table.insert(*[table(**row) for row in batch])
        print(f"  {table._meta.tablename}: {len(rows):,}", flush=True)
    db = engine()
    if db.engine_type == "postgres":
        for table in ORDER:
            name = table._meta.tablename
            await db.run_ddl(  # table names from Hub's own tables, not input
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            )
    await db.run_ddl("ANALYZE")


async def main(buildings: int) -> None:
    started = time.perf_counter()
    async with database_lifespan():
        await migrate()
        if await User.count() > 0:
            raise SystemExit("bench/district.py: the database is not empty")
        password = await hash_password(BENCH_PASSWORD)
        district = build(buildings, datetime.now(ZONE).date(), password)
        print(f"planned in {time.perf_counter() - started:.0f} s; writing", flush=True)
        await write(district)
    total = sum(len(rows) for rows in district.rows.values())
    print(f"district loaded: {total:,} rows in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=50)
    asyncio.run(main(parser.parse_args().buildings))
