"""What a new building team met in its first week of patrols (issue 13), over HTTP."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.i18n import current_language
from hub.web import dates
from tests.accounts.pages import en
from tests.factories import World
from tests.patrols.world import make_route, make_shift
from tests.web_client import Web, text_of


def english_day(moment: object, timezone: str = "Asia/Shanghai") -> str:
    token = current_language.set("en")
    try:
        return dates.day(moment, timezone)  # type: ignore[arg-type]
    finally:
        current_language.reset(token)


def shift_cards(html: str) -> list[str]:
    """The text of each shift card on a page."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", card).split())
        for card in re.findall(r'<article class="card shift.*?</article>', html, re.S)
    ]


# Item 8: open places say their day -----------------------------------------------------------


def test_open_places_of_the_week_each_say_their_day(web: Web, world: World) -> None:
    from hub.patrols.tables import Shift

    patrol = web.run(make_route, world)
    ids = [web.run(make_shift, world, patrol.route_id, in_hours=h) for h in (26, 50, 74)]
    web.sign_in(world.volunteer.login)
    page = web.get(f"/b/{world.building_id}/patrols", headers=en())
    cards = shift_cards(page.text)
    assert len(cards) == 3
    starts = [web.run(Shift.select(Shift.starts_at).where(Shift.id == i).first) for i in ids]
    for card, start in zip(cards, starts, strict=True):
        assert english_day(start["starts_at"]) in card, card
    assert len({card.split(" North")[0] for card in cards}) == 3, "three cards, three days"

    # Signed up through htmx, the card that comes back still says its day.
    response = web.post(
        f"/b/{world.building_id}/shifts/{ids[0]}/signup",
        {"back": f"/b/{world.building_id}/patrols", "dated": "1"},
        htmx=True,
        headers=en(),
    )
    assert english_day(starts[0]["starts_at"]) in text_of(response)


def test_the_week_page_names_the_day_once_above_its_cards(web: Web, world: World) -> None:
    from hub.patrols.tables import Shift

    patrol = web.run(make_route, world)
    local_now = datetime.now(ZoneInfo("Asia/Shanghai"))  # a shift within its day, at any hour
    morning = local_now.replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    in_hours = (morning - local_now).total_seconds() / 3600
    shift_id = web.run(make_shift, world, patrol.route_id, in_hours=in_hours)
    start = web.run(Shift.select(Shift.starts_at).where(Shift.id == shift_id).first)["starts_at"]
    week = start.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    web.sign_in(world.volunteer.login)
    page = web.get(f"/b/{world.building_id}/patrols/week?start={week}", headers=en())
    [card] = shift_cards(page.text)
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", card), card


# Item 10: no plan yet ------------------------------------------------------------------------


def test_without_a_plan_patrols_says_so_and_how_to_make_one(web: Web, world: World) -> None:
    b = world.building_id
    web.sign_in(world.leader.login)
    text = text_of(web.get(f"/b/{b}/patrols", headers=en()))
    assert "Every shift this week has its volunteers" not in text
    assert "There is no patrol plan yet." in text
    assert "Make a route" in text
    web.sign_out()
    web.sign_in(world.volunteer.login)
    text = text_of(web.get(f"/b/{b}/patrols", headers=en()))
    assert "There is no patrol plan yet." in text
    assert "Ask them to." in text

    web.run(make_route, world)  # a route, but no shifts
    text = text_of(web.get(f"/b/{b}/patrols", headers=en()))
    assert "No shifts are planned for this week." in text
    assert "Every shift this week has its volunteers" not in text


def test_with_every_shift_taken_patrols_says_that(web: Web, world: World) -> None:
    from hub.patrols.actions import do_sign_up

    patrol = web.run(make_route, world)
    shift_id = web.run(make_shift, world, patrol.route_id, in_hours=3)
    web.run(do_sign_up, world.leader.id, world.building_id, shift_id)
    web.sign_in(world.volunteer.login)
    text = text_of(web.get(f"/b/{world.building_id}/patrols", headers=en()))
    assert "Every shift this week has its volunteers" in text
    assert "There is no patrol plan yet." not in text


# Item 5: a task from an observation ----------------------------------------------------------


def observed(web: Web, world: World, *, kind: str, note: str, language: str) -> int:
    """An observation by the volunteer, whose own language is `language`; its id."""
    import uuid

    from hub.accounts.actions import do_update_profile
    from hub.patrols import actions
    from hub.patrols.observations import do_observe

    web.run(
        do_update_profile,
        world.volunteer.id,
        display_name=world.volunteer.name,
        language=language,
        large_text=False,
        skills=[],
    )
    patrol = web.run(make_route, world)
    b = world.building_id
    web.run(actions.do_start_round, world.volunteer.id, b, patrol.route_id, shift_id=None)
    _round, check_in_id = web.run(
        actions.do_check_in,
        world.volunteer.id,
        b,
        patrol.checkpoint_ids[0],
        actions.CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None),
    )
    return web.run(
        do_observe, world.volunteer.id, b, check_in_id, kind=kind, severity="high", note=note
    )


def test_a_task_from_an_observation_speaks_the_volunteers_language_and_names_them(
    web: Web, world: World
) -> None:
    from hub.tasks.tables import Task, TaskEntry

    observation_id = observed(web, world, kind="repair", note="大堂灯不亮", language="zh")
    web.sign_in(world.leader.login)  # the leader reads Hub in English
    task_path = web.post(
        f"/b/{world.building_id}/observations/{observation_id}/task", headers=en()
    ).headers["location"]
    task = web.run(Task.select().first().run)
    assert task["description"] == "巡逻时在 Lobby 发现：大堂灯不亮"
    assert task["title"] == "大堂灯不亮"
    assert task["reporter"] == world.volunteer.id
    assert task["category"] == "lighting"
    entries = web.run(TaskEntry.select(TaskEntry.kind, TaskEntry.actor).order_by(TaskEntry.id).run)
    assert [(e["kind"], e["actor"]) for e in entries] == [
        ("created", world.volunteer.id),
        ("observation", world.leader.id),
    ]
    text = text_of(web.get(task_path, headers=en()))
    assert f"Reported by {world.volunteer.name}" in text
    assert "Lighting" in text


def test_an_english_speaking_volunteers_observation_stays_in_english(
    web: Web, world: World
) -> None:
    from hub.tasks.tables import Task

    observation_id = observed(
        web, world, kind="safety", note="Fire door propped open", language="en"
    )
    web.sign_in(world.leader.login)
    web.post(f"/b/{world.building_id}/observations/{observation_id}/task")  # a Chinese page
    task = web.run(Task.select().first().run)
    assert task["description"] == "Seen on patrol at Lobby: Fire door propped open"
    assert task["category"] == "safety"


def test_the_category_follows_the_observations_kind_then_its_words() -> None:
    from hub.patrols.observations import task_category

    assert task_category("cleanliness", "light out") == "cleanliness"
    assert task_category("safety", "") == "safety"
    assert task_category("repair", "Lobby light out") == "lighting"
    assert task_category("repair", "电梯门关不上") == "lift"
    assert task_category("repair", "三楼漏水") == "water"
    assert task_category("repair", "插座漏电") == "electrics"
    assert task_category("repair", "Back door lock broken") == "door"
    assert task_category("other", "Bins overflowing with rubbish") == "cleanliness"
    assert task_category("noise", "Drilling after 22:00") == "other"
    assert task_category("repair", "Something odd") == "other"


# Item 15: a round walked late ----------------------------------------------------------------


def test_a_shift_that_ended_an_hour_ago_may_still_be_walked_and_is_flagged_late(
    web: Web, world: World
) -> None:
    from hub.patrols.tables import Round, ShiftSignup

    patrol = web.run(make_route, world)
    b = world.building_id
    ended = web.run(make_shift, world, patrol.route_id, in_hours=-2, hours=1)
    web.run(ShiftSignup.insert(ShiftSignup(shift=ended, user=world.volunteer.id)).run)
    web.sign_in(world.volunteer.login)
    for path in (f"/b/{b}/patrols", "/"):
        page = web.get(path, headers=en())
        text = text_of(page)
        assert "You can still walk it now; the round is marked late." in text, path
        assert "Start the round late" in text, path
        assert f'name="shift_id" value="{ended}"' in page.text, path

    response = web.post(f"/b/{b}/routes/{patrol.route_id}/rounds", {"shift_id": str(ended)})
    round_path = response.headers["location"]
    assert response.status_code == 303
    walk = web.run(Round.select().first().run)
    assert walk["shift"] == ended
    assert "Late: started after the shift ended at" in text_of(web.get(round_path, headers=en()))
    web.post(f"{round_path}/finish")
    logbook = text_of(web.get(f"/b/{b}/logbook", headers=en()))
    assert "Started after the shift ended" in logbook
    # Walked, it leaves the lists of shifts to walk.
    for path in (f"/b/{b}/patrols", "/"):
        assert "Start the round late" not in text_of(web.get(path, headers=en())), path


def test_a_shift_that_ended_long_ago_can_no_longer_be_walked(web: Web, world: World) -> None:
    from hub.patrols.tables import Round, ShiftSignup

    patrol = web.run(make_route, world)
    b = world.building_id
    old = web.run(make_shift, world, patrol.route_id, in_hours=-6, hours=1)
    web.run(ShiftSignup.insert(ShiftSignup(shift=old, user=world.volunteer.id)).run)
    web.sign_in(world.volunteer.login)
    assert "Start the round late" not in text_of(web.get(f"/b/{b}/patrols", headers=en()))
    response = web.post(
        f"/b/{b}/routes/{patrol.route_id}/rounds", {"shift_id": str(old)}, headers=en()
    )
    assert response.status_code == 409
    assert "This shift ended more than 3 hours ago" in text_of(response)
    assert web.run(Round.count) == 0


# Item 9: leaders are told what their saves did ------------------------------------------------


def test_saving_the_plan_says_what_changed(web: Web, world: World) -> None:
    from tests.accounts.pages import location

    patrol = web.run(make_route, world)
    b = world.building_id
    route = f"/b/{b}/routes/{patrol.route_id}"
    web.sign_in(world.leader.login)

    def said(response: object) -> str:
        return text_of(web.get(location(response), headers=en()))  # type: ignore[arg-type]

    assert "The route “East” is saved." in said(
        web.post(route, {"name": "East", "allow_unscheduled": "on"}, headers=en())
    )
    schedule = {
        "weekdays": ["1", "3", "5"],
        "start": "19:00",
        "end": "20:30",
        "volunteers": "2",
        "starts_on": "2027-01-04",
    }
    assert "Weekly shifts saved: Mon, Wed, Fri 19:00–20:30, 2 volunteers each." in said(
        web.post(f"{route}/schedules", schedule, headers=en())
    )
    moved = said(
        web.post(
            f"/b/{b}/checkpoints/{patrol.checkpoint_ids[1]}/move", {"direction": "up"}, headers=en()
        )
    )
    assert "“Stairwell 6F” moved up." in moved
    made = said(web.post(f"/b/{b}/routes", {"name": "South"}, headers=en()))
    assert "The route “South” is made. Now add its checkpoints." in made


# Item 11: Add a checkpoint stays open ---------------------------------------------------------


def test_add_a_checkpoint_stays_open_for_the_next_one(web: Web, world: World) -> None:
    from tests.accounts.pages import location

    patrol = web.run(make_route, world)
    web.sign_in(world.leader.login)
    route = f"/b/{world.building_id}/routes/{patrol.route_id}"
    closed = web.get(route, headers=en()).text
    assert re.search(r'<details id="add-checkpoint">', closed), "folded while not adding"
    for name in ("Roof", "Basement", "Lift lobby"):
        address = location(web.post(f"{route}/checkpoints", {"name": name}, headers=en()))
        assert address == f"{route}?add=checkpoint"
        page = web.get(address, headers=en())
        assert '<details id="add-checkpoint" open>' in page.text
        assert re.search(r'<input id="checkpoint-name"[^>]*\bautofocus\b', page.text)
        assert f"“{name}” is added to the route." in text_of(page)
        assert 'value=""' in page.text.split('id="checkpoint-name"')[1][:200], "emptied"


# Item 7: a finished round says so, with its summary -------------------------------------------


def test_finishing_a_round_shows_its_summary(web: Web, world: World) -> None:
    import uuid

    from tests.accounts.pages import location

    patrol = web.run(make_route, world)
    b = world.building_id
    web.sign_in(world.volunteer.login)
    round_path = location(web.post(f"/b/{b}/routes/{patrol.route_id}/rounds", {}))
    for index, note in ((0, "Light out"), (1, "")):
        web.post(
            f"/b/{b}/checkins",
            {
                "checkpoint_id": str(patrol.checkpoint_ids[index]),
                "client_uuid": str(uuid.uuid4()),
                "manual": "1",
                "note": note,
            },
        )
    assert "Round finished" not in text_of(web.get(round_path, headers=en()))
    finished = web.post(f"{round_path}/finish", headers=en())
    assert location(finished) == round_path
    page = text_of(web.get(round_path, headers=en()))
    assert "Your round is finished. Thank you!" in page
    assert "Round finished 2 / 3 checkpoints" in page
    assert re.search(r"\d+ minutes? walking", page)
    assert "1 note" in page
    assert "0 things reported" in page
    again = text_of(web.get(round_path, headers=en()))
    assert "Your round is finished" not in again, "said once"
    assert "Round finished 2 / 3 checkpoints" in again, "the summary stays"


# Item 12: a route's posters in one document ---------------------------------------------------


def test_a_routes_posters_print_together_on_the_paper_chosen(web: Web, world: World) -> None:
    patrol = web.run(make_route, world, names=("Lobby", "Stairwell 6F", "Bike shed"))
    b = world.building_id
    web.sign_in(world.leader.login)
    route_page = web.get(f"/b/{b}/routes/{patrol.route_id}", headers=en()).text
    for size in ("a4", "a5", "a5x2"):
        assert f"/b/{b}/routes/{patrol.route_id}/posters?size={size}" in route_page
    posters = f"/b/{b}/routes/{patrol.route_id}/posters"
    for size, per_page in (("a4", "poster-a4"), ("a5", "poster-a5"), ("nonsense", "poster-a4")):
        page = web.get(f"{posters}?size={size}", headers=en())
        assert page.status_code == 200
        assert page.text.count(f'<article class="poster {per_page}">') == 3
        for checkpoint_id, token in zip(patrol.checkpoint_ids, patrol.tokens, strict=True):
            assert f"/b/{b}/checkpoints/{checkpoint_id}/qr.svg" in page.text
            assert f"/c/{token}" in page.text
        assert "sheet-a5x2" not in page.text
    two_up = web.get(f"{posters}?size=a5x2", headers=en()).text
    assert two_up.count('<div class="sheet-a5x2">') == 2  # three posters on two sheets
    assert two_up.count('<article class="poster poster-a5">') == 3
    text = text_of(web.get(f"{posters}?size=a4", headers=en()))
    for name in ("Lobby", "Stairwell 6F", "Bike shed", "巡逻点：扫码打卡", "Patrol checkpoint"):
        assert name in text


def test_only_leaders_print_a_routes_posters(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    web.sign_in(world.volunteer.login)
    assert web.get(f"/b/{world.building_id}/routes/{patrol.route_id}/posters").status_code == 403
    web.sign_out()
    web.sign_in(world.leader.login)
    assert web.get(f"/b/{world.building_id}/routes/999999/posters").status_code == 404
