"""The patrol log book: the page (whole and htmx), who sees which rounds, the CSV, the week's
local days, and the missed, empty and incomplete flags."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.accounts.tables import User
from hub.clock import local_today
from hub.patrols import actions, logbook
from hub.patrols.actions import CheckInInput
from hub.patrols.schedule_times import week_start
from hub.patrols.tables import (
    CheckIn,
    Checkpoint,
    Observation,
    PatrolRoute,
    Round,
    Shift,
    ShiftSignup,
)
from tests.accounts.pages import assert_page, en
from tests.factories import World
from tests.patrols.world import Patrol, make_route, make_shift
from tests.stopped_clock import StoppedClock
from tests.web_client import Web, text_of

TZ = "Asia/Shanghai"
SUNDAY_LATE = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)  # Sunday 29 Nov, 23:30 in Shanghai
MONDAY_MIDNIGHT = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Monday 30 Nov, 00:00 in Shanghai


# Test data with times in the past, written straight into the tables ----------------------------


async def old_route(world: World, **kwargs: object) -> Patrol:
    """A route whose checkpoints have existed for a year, so old rounds are measured by them."""
    patrol = await make_route(world, **kwargs)  # type: ignore[arg-type]
    await Checkpoint.update({Checkpoint.created_at: datetime.now(UTC) - timedelta(days=365)}).where(
        Checkpoint.route == patrol.route_id
    )
    return patrol


async def past_round(
    patrol: Patrol,
    user_id: int,
    started_at: datetime,
    visits: list[dict[str, object]] | None = None,
    *,
    finished: bool = True,
    shift_id: int | None = None,
) -> int:
    """A round walked at `started_at`; each visit names a checkpoint `index`, the `minutes`
    after the start it was recorded, and any other CheckIn column."""
    rows = await Round.insert(
        Round(
            route=patrol.route_id,
            user=user_id,
            shift=shift_id,
            started_at=started_at,
            finished_at=started_at + timedelta(minutes=40) if finished else None,
        )
    ).returning(Round.id)
    round_id = int(rows[0]["id"])
    check_ins = []
    for visit in visits or []:
        extra = dict(visit)
        index = int(extra.pop("index"))  # type: ignore[call-overload]
        minutes = float(extra.pop("minutes", 5 * (index + 1)))  # type: ignore[arg-type]
        check_ins.append(
            CheckIn(
                round=round_id,
                checkpoint=patrol.checkpoint_ids[index],
                client_uuid=str(uuid.uuid4()),
                recorded_at=started_at + timedelta(minutes=minutes),
                **extra,
            )
        )
    for start in range(0, len(check_ins), 50):
        await CheckIn.insert(*check_ins[start : start + 50])
    return round_id


async def past_shift(
    patrol: Patrol, starts_at: datetime, *, hours: float = 1, volunteers: int = 1
) -> int:
    rows = await Shift.insert(
        Shift(
            route=patrol.route_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            volunteers=volunteers,
        )
    ).returning(Shift.id)
    return int(rows[0]["id"])


async def on_shift(shift_id: int, user_id: int) -> None:
    await ShiftSignup.insert(ShiftSignup(shift=shift_id, user=user_id))


def this_monday() -> date:
    return week_start(local_today(TZ))


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def logbook_url(world: World, week: date | str | None = None) -> str:
    url = f"/b/{world.building_id}/logbook"
    return f"{url}?week={week}" if week else url


# The page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_the_log_book_shows_a_round_like_the_paper_book(web: Web, world: World, htmx: bool) -> None:
    async def walk() -> None:
        from hub.patrols.observations import do_observe

        patrol = await make_route(world)
        round_id = await actions.do_start_round(
            world.volunteer.id, world.building_id, patrol.route_id, shift_id=None
        )
        now = datetime.now(UTC)
        _round, check_in_id = await actions.do_check_in(
            world.volunteer.id,
            world.building_id,
            patrol.checkpoint_ids[0],
            CheckInInput(client_uuid=str(uuid.uuid4()), device_time=now, note="Lamp broken"),
        )
        await do_observe(
            world.volunteer.id,
            world.building_id,
            check_in_id,
            kind="safety",
            severity="high",
            note="Fire door propped open",
        )
        await actions.do_check_in(
            world.volunteer.id,
            world.building_id,
            patrol.checkpoint_ids[1],
            CheckInInput(
                client_uuid=str(uuid.uuid4()),
                device_time=now - timedelta(minutes=20),  # queued offline
                manual=True,
            ),
        )
        await actions.do_finish_round(world.volunteer.id, world.building_id, round_id, {})

    web.run(walk)
    web.sign_in(world.leader.login)
    response = web.get(logbook_url(world), htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Patrol log book" in text
    assert "Volunteer Li · North" in text
    assert "Lobby" in text
    assert "Lamp broken" in text
    assert "Lobby: Safety · Urgent Fire door propped open" in text  # seen on the round
    assert "manual" in text
    assert text.count("sent later") == 1  # only the check-in whose phone time is 20 min off
    assert "Bike shed not visited" in text  # finished without it
    assert "Signature" in text
    assert 'href="/static/print-logbook.css?v=' in response.text
    assert f'href="/b/{world.building_id}/logbook.csv?week={this_monday()}"' in response.text


def test_every_day_of_the_week_is_in_the_book_even_without_rounds(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    response = web.get(logbook_url(world, "2026-11-30"), headers=en())
    assert response.status_code == 200
    text = text_of(response)
    assert text.count("No rounds") == 7
    for day in ("Monday 30 November", "Sunday 6 December"):
        assert day in text
    assert f'href="/b/{world.building_id}/logbook?week=2026-11-23"' in response.text
    assert f'href="/b/{world.building_id}/logbook?week=2026-12-07"' in response.text


def test_a_day_in_the_middle_of_a_week_opens_its_week(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    text = text_of(web.get(logbook_url(world, "2026-12-03"), headers=en()))
    assert re.search(r"30 Nov – 6 Dec( 2026)?", text), "the week's days, the year when not this one"


def test_a_week_that_is_not_a_date_is_refused_and_this_week_shown(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    response = web.get(logbook_url(world, "next-tuesday"), headers=en())
    assert response.status_code == 422
    assert "Please choose a week" in text_of(response)


def test_the_chinese_log_book(web: Web, world: World, clock: StoppedClock) -> None:
    clock.set(datetime(2026, 12, 6, 4, tzinfo=UTC))
    web.sign_in(world.leader.login)
    text = text_of(web.get(logbook_url(world, "2026-11-30")))
    assert "巡逻记录本" in text
    assert "11月30日周一" in text
    assert "11月30日至12月6日" in text
    clock.set(datetime(2027, 3, 1, 4, tzinfo=UTC))  # a week of another year says its year
    web.sign_in(world.leader.login)  # the session ended meanwhile
    assert "2026年11月30日 – 12月6日" in text_of(web.get(logbook_url(world, "2026-11-30")))


# Who sees what ----------------------------------------------------------------------------------


def two_volunteers_walked(web: Web, world: World) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        start = at_local(this_monday(), 19)
        await past_round(patrol, world.volunteer.id, start, [{"index": 0}])
        await past_round(patrol, world.leader.id, start + timedelta(hours=1), [{"index": 1}])

    web.run(make)


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_leaders_and_community_admins_see_every_round(web: Web, world: World, who: str) -> None:
    two_volunteers_walked(web, world)
    web.sign_in(world.people[who].login)
    text = text_of(web.get(logbook_url(world), headers=en()))
    assert "Volunteer Li · North" in text
    assert "Leader Wang · North" in text
    assert "Needs attention" in text


def test_a_volunteer_sees_only_their_own_rounds(web: Web, world: World) -> None:
    two_volunteers_walked(web, world)
    web.sign_in(world.volunteer.login)
    response = web.get(logbook_url(world), headers=en())
    text = text_of(response)
    assert "Volunteer Li · North" in text
    assert "Leader Wang" not in text
    assert "Needs attention" not in text
    assert "your own rounds" in text
    rows = list(csv.reader(io.StringIO(web.get(f"{logbook_url(world)}.csv").text.lstrip("\ufeff"))))
    assert {row[1] for row in rows[1:]} == {"Volunteer Li"}


@pytest.mark.parametrize("path", ["logbook", "logbook.csv"])
def test_residents_may_not_and_another_building_is_not_found(
    web: Web, world: World, path: str
) -> None:
    web.sign_in(world.resident.login)
    assert web.get(f"/b/{world.building_id}/{path}").status_code == 403
    web.sign_out()
    web.sign_in(world.leader.login)
    assert web.get(f"/b/{world.other_building_id}/{path}").status_code == 404


def test_another_buildings_rounds_never_show(web: Web, world: World) -> None:
    async def make() -> None:
        patrol = await make_route(world, building_id=world.other_building_id)
        await past_round(patrol, world.other_leader.id, at_local(this_monday(), 9), [{"index": 0}])

    web.run(make)
    web.sign_in(world.leader.login)
    text = text_of(web.get(logbook_url(world), headers=en()))
    assert "Leader Zhao" not in text
    assert text.count("No rounds") == 7


# The CSV ----------------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_one_row_per_check_in(web: Web, world: World) -> None:
    async def make() -> None:
        patrol = await make_route(world, names=("大堂", "Stairwell 6F", "Bike shed"))
        await past_round(
            patrol,
            world.volunteer.id,
            at_local(date(2026, 12, 1), 19),
            [
                {"index": 0, "note": "灯坏了, needs a ladder"},
                # kept on the phone offline at 19:02, sent at 19:10
                {"index": 1, "manual": True, "device_time": at_local(date(2026, 12, 1), 19, 2)},
                {"index": 2, "skipped": True, "note": "Door locked"},
            ],
        )
        first_check_in = await CheckIn.select(CheckIn.id).order_by(CheckIn.id).first()
        await Observation.insert(
            Observation(
                check_in=first_check_in["id"], kind="repair", severity="high", note="Lamp out"
            )
        )
        await past_round(patrol, world.leader.id, at_local(date(2026, 12, 2), 20), [])

    web.run(make)
    web.sign_in(world.leader.login)
    response = web.get(f"{logbook_url(world)}.csv?week=2026-11-30", headers=en())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        'attachment; filename="logbook-2026-11-30.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Date",
        "Volunteer",
        "Route",
        "Round started",
        "Round finished",
        "Checkpoint",
        "Time",
        "Phone time",
        "Manual",
        "Skipped",
        "Note",
        "Photos",
        "Observations",
    ]
    first = ["2026-12-01", "Volunteer Li", "North", "2026-12-01 19:00", "2026-12-01 19:40"]
    second = ["2026-12-02", "Leader Wang", "North", "2026-12-02 20:00", "2026-12-02 20:40"]
    seen = "Something to repair (Urgent): Lamp out"
    assert rows[1:] == [
        [*first, "大堂", "2026-12-01 19:05", "", "", "", "灯坏了, needs a ladder", "", seen],
        [*first, "Stairwell 6F", "2026-12-01 19:10", "2026-12-01 19:02", "yes", "", "", "", ""],
        [*first, "Bike shed", "2026-12-01 19:15", "", "", "yes", "Door locked", "", ""],
        [*second, "", "", "", "", "", "", "", ""],
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_csv_never_lets_a_cell_through_as_a_formula(web: Web, world: World, start: str) -> None:
    """A name, route, checkpoint or note starting like a formula comes out as text."""
    formula = f'{start}HYPERLINK("https://evil.example")'

    async def make() -> None:
        await User.update({User.display_name: formula}).where(User.id == world.volunteer.id)
        patrol = await make_route(world, names=(formula,))
        await PatrolRoute.update({PatrolRoute.name: formula}).where(
            PatrolRoute.id == patrol.route_id
        )
        await past_round(
            patrol,
            world.volunteer.id,
            at_local(date(2026, 12, 1), 19),
            [{"index": 0, "note": formula}],
        )

    web.run(make)
    web.sign_in(world.leader.login)
    response = web.get(f"{logbook_url(world)}.csv?week=2026-11-30", headers=en())
    [row] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert [row[1], row[2], row[5], row[10]] == ["'" + formula] * 4
    assert response.headers["cache-control"] == "private, no-store"


def test_the_csv_header_is_in_chinese_for_a_chinese_reader(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.get(f"{logbook_url(world)}.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [rows[0]]
    assert rows[0][0] == "日期"


# Local days and the week boundary ---------------------------------------------------------------


def test_a_round_at_sunday_2330_is_on_sunday_and_not_in_the_next_week(
    web: Web, world: World
) -> None:
    async def make() -> None:
        patrol = await make_route(world)
        await past_round(patrol, world.volunteer.id, SUNDAY_LATE, [{"index": 0, "minutes": 10}])
        await past_round(patrol, world.leader.id, MONDAY_MIDNIGHT, [{"index": 1}])

    web.run(make)
    week = web.run(logbook.week_log, world.building_id, date(2026, 11, 23), TZ)
    assert [(d.day.isoformat(), len(d.rounds)) for d in week if d.rounds] == [("2026-11-29", 1)]
    assert week[-1].rounds[0].volunteer == "Volunteer Li"
    following = web.run(logbook.week_log, world.building_id, date(2026, 11, 30), TZ)
    assert [(d.day.isoformat(), len(d.rounds)) for d in following if d.rounds] == [
        ("2026-11-30", 1)
    ]
    assert following[0].rounds[0].volunteer == "Leader Wang"

    web.sign_in(world.leader.login)
    text = text_of(web.get(logbook_url(world, "2026-11-23"), headers=en()))
    sunday = text.split("Sunday 29 November")[1]
    assert "Volunteer Li" in sunday
    assert "23:30" in sunday
    assert "23:40" in sunday  # the check-in ten minutes later, still Sunday
    assert "Leader Wang" not in text


# Missed, empty and incomplete -------------------------------------------------------------------


def test_missed_unfilled_and_incomplete_are_found(web: Web, world: World) -> None:
    now = datetime.now(UTC)

    async def make() -> dict[str, int]:
        patrol = await old_route(world)
        ids = {}
        # walked and finished by its volunteer: fine
        ids["walked"] = await past_shift(patrol, now - timedelta(hours=30))
        await on_shift(ids["walked"], world.volunteer.id)
        await past_round(
            patrol,
            world.volunteer.id,
            now - timedelta(hours=30),
            [{"index": 0}, {"index": 1}, {"index": 2}],
            shift_id=ids["walked"],
        )
        # signed up, never walked: missed
        ids["missed"] = await past_shift(patrol, now - timedelta(hours=5))
        await on_shift(ids["missed"], world.volunteer.id)
        # started but never finished: missed too
        ids["unfinished"] = await past_shift(patrol, now - timedelta(hours=3))
        await on_shift(ids["unfinished"], world.leader.id)
        await past_round(
            patrol,
            world.leader.id,
            now - timedelta(hours=3),
            finished=False,
            shift_id=ids["unfinished"],
        )
        # nobody on it, it ended: missed; nobody on it, tomorrow: unfilled
        ids["nobody"] = await past_shift(patrol, now - timedelta(hours=10))
        ids["empty"] = await make_shift(world, patrol.route_id, in_hours=20)
        # taken, tomorrow: fine; empty, in three days: not yet a worry
        ids["taken"] = await make_shift(world, patrol.route_id, in_hours=6)
        await on_shift(ids["taken"], world.volunteer.id)
        await make_shift(world, patrol.route_id, in_hours=72)
        # finished rounds that skipped one / left one out / started late
        await past_round(
            patrol,
            world.volunteer.id,
            now - timedelta(hours=20),
            [{"index": 0}, {"index": 1}, {"index": 2, "skipped": True, "note": "Locked"}],
        )
        await past_round(patrol, world.leader.id, now - timedelta(hours=19), [{"index": 0}])
        late_shift = await past_shift(patrol, now - timedelta(hours=50))
        await on_shift(late_shift, world.volunteer.id)
        await past_round(
            patrol,
            world.volunteer.id,
            now - timedelta(hours=48),
            [{"index": 0}, {"index": 1}, {"index": 2}],
            shift_id=late_shift,
        )
        return ids

    ids = web.run(make)
    flags = web.run(logbook.recent_flags, world.building_id)
    assert {flag.shift_id for flag in flags.missed} == {
        ids["missed"],
        ids["unfinished"],
        ids["nobody"],
    }
    assert [flag.shift_id for flag in flags.unfilled] == [ids["empty"]]
    assert sorted(
        (walk.volunteer, [v.checkpoint for v in walk.skipped], walk.missing, walk.late)
        for walk in flags.incomplete
    ) == [
        ("Leader Wang", [], ["Stairwell 6F", "Bike shed"], False),
        ("Volunteer Li", [], [], True),
        ("Volunteer Li", ["Bike shed"], [], False),
    ]


def test_a_checkpoint_added_after_a_round_is_not_counted_as_missed(web: Web, world: World) -> None:
    async def make() -> list[logbook.LoggedRound]:
        patrol = await make_route(world, names=("Lobby",))
        start = datetime.now(UTC) - timedelta(hours=2)
        await Checkpoint.update({Checkpoint.created_at: start - timedelta(days=1)}).where(
            Checkpoint.route == patrol.route_id
        )
        await past_round(patrol, world.volunteer.id, start, [{"index": 0}])
        await actions.do_add_checkpoint(
            world.leader.id, world.building_id, patrol.route_id, name="Roof", location=""
        )
        return await logbook.logged_rounds(
            world.building_id, start - timedelta(hours=1), datetime.now(UTC)
        )

    [walk] = web.run(make)
    assert walk.missing == []
    assert not walk.flagged


def test_the_database_picks_exactly_the_rounds_python_flags(web: Web, world: World) -> None:
    """Today asks the database for the flagged rounds only; it must choose the same rounds as
    LoggedRound.flagged, for every reason a round is flagged or not."""

    async def make() -> tuple[list[int], list[int]]:
        now = datetime.now(UTC)
        patrol = await old_route(world)  # Lobby, Stairwell 6F, Bike shed
        every = [{"index": 0}, {"index": 1}, {"index": 2}]
        await past_round(patrol, world.volunteer.id, now - timedelta(hours=30), every)  # fine
        await past_round(patrol, world.volunteer.id, now - timedelta(hours=29), every[:2])
        await past_round(  # skipped one, with a reason
            patrol,
            world.volunteer.id,
            now - timedelta(hours=28),
            [*every[:2], {"index": 2, "skipped": True, "note": "Locked"}],
        )
        await past_round(  # unfinished: not yet judged
            patrol, world.volunteer.id, now - timedelta(hours=27), [], finished=False
        )
        shift = await past_shift(patrol, now - timedelta(hours=27))
        await past_round(  # walked late, every checkpoint
            patrol, world.volunteer.id, now - timedelta(hours=25), every, shift_id=shift
        )
        on_time = await past_shift(patrol, now - timedelta(hours=24), hours=2)
        await past_round(
            patrol, world.volunteer.id, now - timedelta(hours=23), every, shift_id=on_time
        )
        # The bike shed retired 20 hours ago: a later round without it is complete...
        await Checkpoint.update({Checkpoint.retired_at: now - timedelta(hours=20)}).where(
            Checkpoint.id == patrol.checkpoint_ids[2]
        )
        await past_round(patrol, world.volunteer.id, now - timedelta(hours=10), every[:2])
        # ...and a checkpoint added after a round started is not missed by it.
        await Checkpoint.update({Checkpoint.created_at: now - timedelta(hours=5)}).where(
            Checkpoint.id == patrol.checkpoint_ids[1]
        )
        await past_round(patrol, world.volunteer.id, now - timedelta(hours=6), every[:1])
        since, until = now - timedelta(days=3), now
        every_round = await logbook.logged_rounds(world.building_id, since, until)
        chosen = await logbook.logged_rounds(
            world.building_id, since, until, details=False, flagged=True
        )
        return [w.id for w in every_round if w.flagged], [w.id for w in chosen]

    in_python, in_database = web.run(make)
    assert len(in_python) == 3  # left one out, skipped one, late
    assert in_database == in_python


def test_the_leaders_log_book_lists_missed_rounds(web: Web, world: World) -> None:
    async def make() -> None:
        patrol = await old_route(world)
        # ended a minute ago: inside this week unless the week is a minute old
        await past_shift(patrol, datetime.now(UTC) - timedelta(minutes=61), hours=1)

    web.run(make)
    web.sign_in(world.leader.login)
    text = text_of(web.get(logbook_url(world), headers=en()))
    assert "Missed rounds" in text
    assert "nobody signed up" in text
