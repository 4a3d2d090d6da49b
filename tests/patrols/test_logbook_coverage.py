"""The coverage grid (counts by checkpoint and 3-hour block of the local week), its page, and
the fixed number of queries behind the log book, the flags and the grid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hub.patrols import actions, logbook
from hub.patrols.logbook import BLOCKS_PER_DAY
from hub.patrols.tables import (
    CheckIn,
    CheckInPhoto,
    Checkpoint,
    PatrolRoute,
    Round,
    Shift,
    ShiftSignup,
)
from tests.accounts.pages import assert_page, en
from tests.factories import World
from tests.patrols.test_logbook import (
    TZ,
    at_local,
    old_route,
    past_round,
    this_monday,
)
from tests.patrols.world import make_route
from tests.query_count import counting_queries
from tests.web_client import Web, text_of

HOUR = timedelta(hours=1)
NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Thursday 3 Dec 2026, noon in Shanghai


def coverage_url(world: World, weeks: object = None) -> str:
    url = f"/b/{world.building_id}/coverage"
    return f"{url}?weeks={weeks}" if weeks is not None else url


def test_visits_are_counted_by_local_day_and_three_hour_block(web: Web, world: World) -> None:
    async def make() -> logbook.Coverage:
        patrol = await make_route(world)
        tuesday_evening = datetime(2026, 12, 1, 11, 30, tzinfo=UTC)  # Tue 19:30 in Shanghai
        await past_round(
            patrol,
            world.volunteer.id,
            tuesday_evening,
            [{"index": 0, "minutes": 0}, {"index": 1, "minutes": 10}],
        )
        await past_round(
            patrol,
            world.leader.id,
            tuesday_evening + timedelta(weeks=-1),
            [{"index": 0, "minutes": 20}, {"index": 2, "minutes": 5, "skipped": True}],
        )
        # Sunday 23:30 local is Sunday's last block, though it is Sunday 15:30 in UTC
        await past_round(patrol, world.volunteer.id, datetime(2026, 11, 29, 15, 30, tzinfo=UTC))
        await past_round(
            patrol,
            world.volunteer.id,
            datetime(2026, 11, 29, 15, 30, tzinfo=UTC),
            [{"index": 2, "minutes": 0}],
        )
        # too old for four weeks
        await past_round(patrol, world.volunteer.id, NOW - timedelta(weeks=5), [{"index": 0}])
        await actions.do_retire_checkpoint(
            world.leader.id, world.building_id, patrol.checkpoint_ids[1]
        )
        return await logbook.coverage(world.building_id, 4, TZ, now=NOW)

    grid = web.run(make)
    rows = {row.name: row for row in grid.rows}
    assert list(rows) == ["Lobby", "Bike shed"]  # the retired checkpoint is gone
    tuesday_18_21 = 1 * BLOCKS_PER_DAY + 6
    sunday_21_24 = 6 * BLOCKS_PER_DAY + 7
    assert rows["Lobby"].counts[tuesday_18_21] == 2
    assert rows["Lobby"].total == 2
    assert rows["Bike shed"].counts[sunday_21_24] == 1  # the skipped one does not count
    assert rows["Bike shed"].total == 1
    assert grid.highest == 2
    assert rows["Lobby"].levels[tuesday_18_21] == 4
    assert rows["Bike shed"].levels[sunday_21_24] == 2
    assert rows["Bike shed"].empty_days == [0, 1, 2, 3, 4, 5]
    assert [row.name for row in grid.thin] == ["Bike shed", "Lobby"]
    assert grid.legend == [(2, 1, 1), (4, 2, 2)]


def test_levels_split_the_busiest_count_in_four() -> None:
    assert [logbook.level_of(n, 8) for n in range(9)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert logbook.level_of(0, 0) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_the_coverage_page_shows_the_grid_and_the_thin_spots(
    web: Web, world: World, htmx: bool
) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        # Last week's: this Monday's evening is still to come early on a Monday in Shanghai.
        await past_round(
            patrol, world.volunteer.id, at_local(last_monday(), 19), [{"index": 0, "minutes": 1}]
        )

    web.run(make)
    web.sign_in(world.leader.login)
    response = web.get(coverage_url(world), htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Patrol coverage" in text
    assert "Thin spots" in text
    assert "Bike shed (North) : 0 visits · never visited" in text
    assert "Lobby (North) : 1 visit · none on Tue, Wed, Thu, Fri, Sat, Sun" in text
    assert 'class="heat-4 day-start"' not in response.text  # Monday 18:00 is not a day start
    assert response.text.count('class="heat-4"') == 1
    assert 'role="region"' in response.text
    assert "style=" not in response.text.split("<main", 1)[-1]


def test_the_coverage_page_with_no_checkpoints(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.get(coverage_url(world, 12), headers=en())
    assert response.status_code == 200
    assert "There are no checkpoints yet." in text_of(response)


@pytest.mark.parametrize("weeks", ["0", "13", "two", "-1"])
def test_a_number_of_weeks_out_of_range_is_refused(web: Web, world: World, weeks: str) -> None:
    web.sign_in(world.leader.login)
    response = web.get(coverage_url(world, weeks), headers=en())
    assert response.status_code == 422
    assert "Please choose between 1 and 12 weeks." in text_of(response)


def test_coverage_is_for_leaders(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    assert web.get(coverage_url(world)).status_code == 403
    web.sign_out()
    web.sign_in(world.leader.login)
    assert web.get(f"/b/{world.other_building_id}/coverage").status_code == 404


# Query counts -----------------------------------------------------------------------------------


LAST_MONDAY_MORNING = 8  # rounds are made from 08:00 on last week's Monday, one a minute


def last_monday():  # type: ignore[no-untyped-def]
    return this_monday() - timedelta(weeks=1)


def lots_of_patrolling(web: Web, world: World, rounds: int, *, first: int = 0) -> None:
    """Rounds `first`..`first + rounds - 1` of last week's Monday morning, one a minute, each
    on a shift and with three check-ins (one skipped)."""

    async def make() -> None:
        patrol = await old_route(world) if first == 0 else await _patrol(world)
        base = at_local(last_monday(), LAST_MONDAY_MORNING)
        starts = [base + timedelta(minutes=n) for n in range(first, first + rounds)]
        shift_ids = []
        round_ids = []
        for chunk in range(0, len(starts), 50):
            part = starts[chunk : chunk + 50]
            shifts = await Shift.insert(
                *[Shift(route=patrol.route_id, starts_at=s, ends_at=s + HOUR) for s in part]
            ).returning(Shift.id)
            ids = [row["id"] for row in shifts]
            shift_ids += ids
            await ShiftSignup.insert(*[ShiftSignup(shift=i, user=world.volunteer.id) for i in ids])
            walks = await Round.insert(
                *[
                    Round(
                        route=patrol.route_id,
                        user=world.volunteer.id,
                        shift=i,
                        started_at=s,
                        finished_at=s + HOUR,
                    )
                    for i, s in zip(ids, part, strict=True)
                ]
            ).returning(Round.id)
            round_ids += [row["id"] for row in walks]
            visits = await CheckIn.insert(
                *[
                    CheckIn(
                        round=r,
                        checkpoint=checkpoint,
                        client_uuid=str(uuid.uuid4()),
                        recorded_at=s + timedelta(minutes=5 * (k + 1)),
                        skipped=k == 1,
                        note="x" if k == 1 else "",
                    )
                    for r, s in zip(round_ids[-len(part) :], part, strict=True)
                    for k, checkpoint in enumerate(patrol.checkpoint_ids)
                ]
            ).returning(CheckIn.id)
            await CheckInPhoto.insert(
                *[
                    CheckInPhoto(check_in=row["id"], file=f"{uuid.uuid4().hex}.jpg", thumb="")
                    for row in visits[:: len(patrol.checkpoint_ids)]
                ]
            )

    web.run(make)


async def _patrol(world: World):  # type: ignore[no-untyped-def]
    from tests.patrols.world import Patrol

    route = await PatrolRoute.select(PatrolRoute.id).first()
    ids = [
        row["id"]
        for row in await Checkpoint.select(Checkpoint.id)
        .where(Checkpoint.route == route["id"])
        .order_by(Checkpoint.position)
    ]
    return Patrol(route_id=route["id"], checkpoint_ids=ids, tokens=[])


def test_the_log_book_flags_and_grid_run_a_fixed_number_of_queries(web: Web, world: World) -> None:
    monday = last_monday()

    async def read() -> tuple[int, int, int]:
        days = await logbook.week_log(world.building_id, monday, TZ)
        walks = [walk for day in days for walk in day.rounds]
        flags = await logbook.week_flags(world.building_id, monday, TZ, walks)
        grid = await logbook.coverage(world.building_id, 12, TZ)
        return len(walks), len(flags.incomplete), sum(row.total for row in grid.rows)

    for first, rounds in ((0, 3), (3, 331)):  # about 10, then about 1,000 check-ins
        lots_of_patrolling(web, world, rounds, first=first)
        with counting_queries() as seen:
            walks, incomplete, visits = web.run(read)
        # rounds with visits, details, checkpoints; the flagged shifts; the grid
        assert len(seen) == 3 + 1 + 2, seen
        assert walks == incomplete == first + rounds
        assert visits == 2 * walks
        with counting_queries() as seen:
            web.run(logbook.recent_flags, world.building_id)
        assert len(seen) == 3  # the flagged shifts; the flagged rounds, their checkpoints


def test_the_pages_run_a_fixed_number_of_queries(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    paths = [
        f"/b/{world.building_id}/logbook?week={last_monday()}",
        f"/b/{world.building_id}/logbook.csv?week={last_monday()}",
        f"/b/{world.building_id}/coverage?weeks=12",
    ]
    measured = []
    for first, rounds in ((0, 3), (3, 331)):
        lots_of_patrolling(web, world, rounds, first=first)
        counts = []
        for path in paths:
            with counting_queries() as seen:
                response = web.get(path)
            assert response.status_code == 200
            counts.append(len(seen))
        measured.append(counts)
    assert measured[0] == measured[1]
    assert len(web.get(paths[1]).text.splitlines()) == 1 + 3 * 334
