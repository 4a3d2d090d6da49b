"""The patrol pages over HTTP: the plan, the week, signing up, and walking a round."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.patrols.tables import CheckIn, Checkpoint, PatrolRoute, Round, Schedule, Shift, ShiftSignup
from tests.accounts.pages import assert_page, en, location
from tests.factories import World
from tests.patrols.world import Patrol, make_route, make_shift
from tests.stopped_clock import StoppedClock
from tests.web_client import Web, text_of


def route_of(web: Web, world: World, **kwargs: object) -> Patrol:
    return web.run(make_route, world, **kwargs)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_leader_plans_a_route_with_checkpoints_and_weekly_shifts(
    web: Web, world: World, htmx: bool
) -> None:
    web.sign_in(world.leader.login)
    b = world.building_id
    assert_page(web.get(f"/b/{b}/routes", htmx=htmx, headers=en()), htmx=htmx)
    response = web.post(f"/b/{b}/routes", {"name": "North", "allow_unscheduled": "on"})
    route_path = location(response)
    route_path = route_path.removesuffix("?add=checkpoint")  # its checkpoints come next
    route_id = int(route_path.rsplit("/", 1)[1])
    for name in ("Lobby", "Stairwell 6F"):
        web.post(f"{route_path}/checkpoints", {"name": name, "location": "ground floor"})
    response = web.post(
        f"{route_path}/schedules",
        {
            "weekdays": ["1", "2", "3", "4", "5"],
            "start": "19:00",
            "end": "20:00",
            "volunteers": "2",
            "starts_on": "2026-12-01",
        },
    )
    assert location(response).endswith("#schedules")
    page = web.get(route_path, htmx=htmx, headers=en())
    assert_page(page, htmx=htmx)
    text = text_of(page)
    assert "Lobby" in text
    assert "Stairwell 6F" in text
    assert "19:00–20:00" in text
    assert web.run(Shift.count().where(Shift.route == route_id).run) >= 15


def test_a_bad_schedule_is_refused_and_kept(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.leader.login)
    response = web.post(
        f"/b/{world.building_id}/routes/{patrol.route_id}/schedules",
        {"start": "25:00", "end": "20:00", "volunteers": "0", "starts_on": "soon"},
        headers=en(),
    )
    assert response.status_code == 422
    text = text_of(response)
    assert "Please choose at least one day." in text
    assert "Please give a time such as 19:00." in text
    assert 'value="soon"' in response.text
    assert web.run(Schedule.count) == 0


def local_day_of(web: Web, shift_id: int) -> str:
    """The shift's local day, to ask for its week: a shift an hour from now is next week's late
    on a Sunday in Shanghai."""
    row = web.run(Shift.select(Shift.starts_at).where(Shift.id == shift_id).first)
    return row["starts_at"].astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


@pytest.mark.parametrize("htmx", [False, True])
def test_week_shows_shifts_with_open_places(web: Web, world: World, htmx: bool) -> None:
    patrol = route_of(web, world)
    shift_id = web.run(make_shift, world, patrol.route_id, volunteers=2, in_hours=1)
    web.sign_in(world.volunteer.login)
    week = f"/b/{world.building_id}/patrols/week?start={local_day_of(web, shift_id)}"
    page = web.get(week, htmx=htmx, headers=en())
    assert_page(page, htmx=htmx)
    assert text_of(page).count("Open place") == 2


def test_sign_up_and_withdraw_with_one_tap(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    shift_id = web.run(make_shift, world, patrol.route_id, volunteers=1)
    web.sign_in(world.volunteer.login)
    base = f"/b/{world.building_id}/shifts/{shift_id}"
    card = web.post(f"{base}/signup", htmx=True, headers=en())
    assert card.status_code == 200
    assert f'id="shift-{shift_id}"' in card.text
    assert "Volunteer Li" in text_of(card)
    assert "Withdraw" in text_of(card)
    assert "<html" not in card.text.lower()
    full = web.post(f"{base}/withdraw", {"back": f"/b/{world.building_id}/patrols/week"})
    assert location(full) == f"/b/{world.building_id}/patrols/week"
    assert web.run(ShiftSignup.count) == 0


def test_the_last_place_taken_says_so(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    shift_id = web.run(make_shift, world, patrol.route_id, volunteers=1)
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}/shifts/{shift_id}"
    web.post(f"{base}/signup")
    web.sign_in(world.volunteer.login)
    card = web.post(f"{base}/signup", htmx=True, headers=en())
    assert card.status_code == 409
    assert "Sorry, this shift has just been filled." in text_of(card)
    full = web.post(f"{base}/signup", headers=en())
    assert full.status_code == 409


def test_a_clash_with_another_of_my_shifts_is_warned_about(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    first = web.run(make_shift, world, patrol.route_id, in_hours=2, hours=1)
    second = web.run(make_shift, world, patrol.route_id, in_hours=2.5, hours=1)
    web.sign_in(world.volunteer.login)
    web.post(f"/b/{world.building_id}/shifts/{first}/signup")
    card = web.post(f"/b/{world.building_id}/shifts/{second}/signup", htmx=True, headers=en())
    assert "This overlaps your shift on North" in text_of(card)


def test_a_leader_assigns_and_removes_a_volunteer(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    shift_id = web.run(make_shift, world, patrol.route_id, volunteers=2)
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}/shifts/{shift_id}"
    card = web.post(f"{base}/assign", {"user_id": str(world.volunteer.id)}, htmx=True)
    assert "Volunteer Li" in text_of(card)
    refused = web.post(f"{base}/assign", {"user_id": str(world.resident.id)}, htmx=True)
    assert refused.status_code == 409
    web.post(f"{base}/unassign", {"user_id": str(world.volunteer.id)})
    assert web.run(ShiftSignup.count) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_a_leader_changes_a_shifts_volunteers_from_a_panel_asked_for(
    web: Web, world: World, htmx: bool
) -> None:
    """With hundreds of volunteers, a <select> of them all on every open shift made the
    leaders' week 2.7 MB: each card links to the shift's volunteers instead, which come as a
    fragment (htmx) or a page of their own."""
    patrol = route_of(web, world)
    shift_id = web.run(make_shift, world, patrol.route_id, volunteers=2)
    web.sign_in(world.leader.login)
    day = local_day_of(web, shift_id)
    week = web.get(f"/b/{world.building_id}/patrols/week?start={day}", headers=en())
    assert "<select" not in week.text
    panel_path = f"/b/{world.building_id}/shifts/{shift_id}/volunteers"
    assert f'href="{panel_path}?back=' in week.text
    panel = web.get(panel_path, htmx=htmx, headers=en())
    if htmx:  # the panel alone, for the card's slot
        assert "<html" not in panel.text
        assert "<title>" not in panel.text
    else:
        assert_page(panel, htmx=False)
    assert f'<option value="{world.volunteer.id}">Volunteer Li</option>' in panel.text
    assert f'value="{world.resident.id}"' not in panel.text
    base = f"/b/{world.building_id}/shifts/{shift_id}"
    done = web.post(f"{base}/assign", {"user_id": str(world.volunteer.id), "back": "/"})
    assert location(done) == f"/b/{world.building_id}/patrols"
    assert "Take Volunteer Li off this shift" in web.get(panel_path, headers=en()).text
    web.sign_in(world.volunteer.login)
    assert web.get(panel_path).status_code == 403


def test_a_volunteer_walks_a_round_by_scanning_posters(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.volunteer.login)
    poster = f"/c/{patrol.tokens[0]}"
    # Opening the poster's link changes nothing: it offers to start a round.
    page = web.get(poster, headers=en())
    assert page.status_code == 200
    assert "Start a round and check in here" in text_of(page)
    assert web.run(Round.count) == 0
    client_uuid = re.search(r'name="client_uuid" value="([^"]+)"', page.text)[1]
    response = web.post(poster, {"client_uuid": client_uuid, "start": "1"})
    round_path = location(response)
    assert web.run(CheckIn.count) == 1
    # The same form sent again (a double tap, a replay) records nothing more.
    assert location(web.post(poster, {"client_uuid": client_uuid, "start": "1"})) == round_path
    assert web.run(CheckIn.count) == 1
    second = web.get(f"/c/{patrol.tokens[1]}", headers=en())
    assert "Check in here" in text_of(second)
    web.post(f"/c/{patrol.tokens[1]}", {"client_uuid": str(uuid.uuid4())})
    # The manual fallback for a damaged poster.
    web.post(
        f"/b/{world.building_id}/checkins",
        {
            "checkpoint_id": str(patrol.checkpoint_ids[2]),
            "client_uuid": str(uuid.uuid4()),
            "manual": "1",
            "device_time": "2026-11-27T10:00:00Z",
        },
    )
    round_page = web.get(round_path, headers=en())
    assert "3 of 3 checkpoints" in text_of(round_page)
    assert "by hand" in text_of(round_page)
    finish = web.post(f"{round_path}/finish")
    assert location(finish) == round_path  # with the round's summary
    assert web.run(Round.select(Round.finished_at).first().run)["finished_at"] is not None


def test_a_poster_of_a_retired_or_replaced_checkpoint_says_it_no_longer_works(
    web: Web, world: World
) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.leader.login)
    web.post(f"/b/{world.building_id}/checkpoints/{patrol.checkpoint_ids[0]}/token")
    web.post(f"/b/{world.building_id}/checkpoints/{patrol.checkpoint_ids[1]}/retire")
    for token in patrol.tokens[:2]:
        page = web.get(f"/c/{token}", headers=en())
        assert page.status_code == 409
        assert "This poster no longer works" in text_of(page)
    assert web.get("/c/never-was", headers=en()).status_code == 409


def test_signed_out_the_poster_asks_to_sign_in_and_comes_back(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    page = web.get(f"/c/{patrol.tokens[0]}", headers=en())
    assert page.status_code == 200
    assert f'href="/login?next=/c/{patrol.tokens[0]}"' in page.text


def test_a_resident_cannot_check_in(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.resident.login)
    page = web.get(f"/c/{patrol.tokens[0]}", headers=en())
    assert "Check in here" not in text_of(page)
    response = web.post(f"/c/{patrol.tokens[0]}", {"client_uuid": str(uuid.uuid4()), "start": "1"})
    assert response.status_code == 409
    assert web.run(CheckIn.count) == 0


def test_a_route_in_order_asks_why_checkpoints_were_skipped(web: Web, world: World) -> None:
    patrol = route_of(web, world, in_order=True)
    web.sign_in(world.volunteer.login)
    response = web.post(f"/b/{world.building_id}/routes/{patrol.route_id}/rounds", {"shift_id": ""})
    round_path = location(response)
    refused = web.post(f"{round_path}/finish", headers=en())
    assert location(refused) == round_path
    assert "Please say why these were skipped" in text_of(web.get(round_path, headers=en()))
    reasons = {f"skip-{cid}": "Locked" for cid in patrol.checkpoint_ids}
    assert location(web.post(f"{round_path}/finish", reasons)) == round_path


def test_posters_print_in_both_languages_with_a_qr_code(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}/checkpoints/{patrol.checkpoint_ids[0]}"
    for size in ("a4", "a5"):
        poster = web.get(f"{base}/poster?size={size}", headers=en())
        assert poster.status_code == 200
        assert f"poster-{size}" in poster.text
        assert "Patrol checkpoint: scan to check in" in poster.text
        assert f"/c/{patrol.tokens[0]}" in poster.text
    qr = web.get(f"{base}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(qr.content).tag.endswith("svg")


def test_checkpoints_are_reordered_and_retired_without_losing_history(
    web: Web, world: World
) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.leader.login)
    b = world.building_id
    web.post(f"/b/{b}/checkpoints/{patrol.checkpoint_ids[2]}/move", {"direction": "up"})
    web.post(f"/b/{b}/checkpoints/{patrol.checkpoint_ids[0]}/retire")
    names = web.run(
        Checkpoint.select(Checkpoint.name)
        .where(Checkpoint.retired_at.is_null())
        .order_by(Checkpoint.position)
        .run
    )
    assert [row["name"] for row in names] == ["Bike shed", "Stairwell 6F"]
    assert web.run(Checkpoint.count) == 3


def test_a_foreign_buildings_objects_are_not_found(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    web.sign_in(world.other_leader.login)
    other = world.other_building_id
    assert web.get(f"/b/{other}/routes/{patrol.route_id}").status_code == 404
    response = web.post(f"/b/{other}/checkpoints/{patrol.checkpoint_ids[0]}/retire")
    assert response.status_code == 404
    assert web.run(Checkpoint.count().where(Checkpoint.retired_at.is_not_null()).run) == 0
    assert web.run(PatrolRoute.count) == 1


def test_an_observation_becomes_a_repair_task_in_one_tap(web: Web, world: World) -> None:
    from hub.patrols.tables import Observation
    from hub.tasks.tables import Task

    patrol = route_of(web, world)
    web.sign_in(world.volunteer.login)
    round_path = location(
        web.post(f"/c/{patrol.tokens[0]}", {"client_uuid": str(uuid.uuid4()), "start": "1"})
    )
    round_id = int(round_path.rsplit("/", 1)[1])
    check_in_id = web.run(CheckIn.select(CheckIn.id).first().run)["id"]
    observe = f"/b/{world.building_id}/checkins/{check_in_id}/observations"
    refused = web.post(
        observe, {"round_id": str(round_id), "kind": "fire", "severity": "high"}, headers=en()
    )
    assert location(refused) == round_path
    assert "Please choose one of the options." in text_of(web.get(round_path, headers=en()))
    response = web.post(
        observe,
        {"round_id": str(round_id), "kind": "repair", "severity": "high", "note": "Light out"},
    )
    assert location(response) == round_path
    assert "Light out" in text_of(web.get(round_path, headers=en()))

    web.sign_in(world.leader.login)
    today = text_of(web.get("/", headers=en()))
    assert "Seen on patrol" in today
    assert "Light out" in today
    observation_id = web.run(Observation.select(Observation.id).first().run)["id"]
    tap = f"/b/{world.building_id}/observations/{observation_id}/task"
    task_path = location(web.post(tap))
    assert location(web.post(tap)) == task_path  # made once
    task = web.run(Task.select().first().run)
    assert task["title"] == "Light out"
    assert task["place"] == "Lobby"
    assert task_path == f"/b/{world.building_id}/tasks/{task['id']}"
    assert "Seen on patrol" not in text_of(web.get("/", headers=en()))


def test_the_week_flags_missed_and_unfilled_shifts(web: Web, world: World) -> None:
    patrol = route_of(web, world)
    missed = web.run(make_shift, world, patrol.route_id, in_hours=-3, hours=1)
    web.run(ShiftSignup.insert(ShiftSignup(shift=missed, user=world.volunteer.id)).run)
    web.run(make_shift, world, patrol.route_id, in_hours=5)
    web.sign_in(world.leader.login)

    def week_of(hours: float) -> str:
        day = (datetime.now(UTC) + timedelta(hours=hours)).astimezone(ZoneInfo("Asia/Shanghai"))
        week = f"/b/{world.building_id}/patrols/week?start={day.date().isoformat()}"
        return text_of(web.get(week, headers=en()))

    assert "Missed: no round was walked on this shift." in week_of(-3)
    assert "Nobody has taken this shift yet." in week_of(5)


def test_a_night_shift_from_sunday_to_monday_is_flagged_missed_on_the_week_it_starts_in(
    web: Web, world: World, clock: StoppedClock
) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    today = datetime.now(shanghai).date()
    monday = today - timedelta(days=today.weekday() + 7)  # last week's, wholly past
    sunday_night = datetime.combine(monday - timedelta(days=1), time(23), shanghai)
    patrol = route_of(web, world)
    [row] = web.run(
        Shift.insert(
            Shift(
                route=patrol.route_id,
                starts_at=sunday_night,
                ends_at=sunday_night + timedelta(hours=2),
                volunteers=1,
            )
        )
        .returning(Shift.id)
        .run
    )
    web.run(ShiftSignup.insert(ShiftSignup(shift=row["id"], user=world.volunteer.id)).run)
    clock.set(datetime.combine(monday, time(3), shanghai))
    web.sign_in(world.leader.login)
    sunday_week = f"/b/{world.building_id}/patrols/week?start={sunday_night.date().isoformat()}"
    page = text_of(web.get(sunday_week, headers=en()))
    assert "23:00" in page
    assert "Missed: no round was walked on this shift." in page
