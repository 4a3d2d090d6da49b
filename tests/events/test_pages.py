"""Every events route through HTTP: full pages and htmx fragments, forms, the leaders' list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from hub.events import actions
from hub.events.tables import Answer, Event
from tests.accounts.pages import assert_page, en, location
from tests.events.support import make_event, make_users
from tests.factories import World
from tests.web_client import Web, text_of


def event_of(web: Web, world: World, **changes: object) -> int:
    return web.run(make_event, world.leader.id, world.community_id, world.building_id, **changes)


def answer_row(web: Web, event_id: int, user_id: int) -> dict | None:
    async def read() -> dict | None:
        return (
            await Answer.select()
            .where((Answer.event == event_id) & (Answer.user == user_id))
            .first()
        )

    return web.run(read)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("which", ["upcoming", "past", "mine"])
def test_event_lists(web: Web, world: World, htmx: bool, which: str) -> None:
    upcoming = event_of(web, world, title="Neighbourhood festival")
    past_start = datetime.now(UTC) - timedelta(days=3)
    event_of(
        web, world, title="Old talk", starts_at=past_start, ends_at=past_start + timedelta(hours=1)
    )
    web.run(actions.do_answer, world.resident.id, world.building_id, upcoming, "going")
    web.sign_in(world.resident.login)
    response = web.get(f"/b/{world.building_id}/events?list={which}", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert ("Neighbourhood festival" in text) is (which != "past")
    assert ("Old talk" in text) is (which == "past")
    assert "New event" not in text


def test_leader_creates_an_event_in_the_building_time_zone(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    assert_page(web.get(f"/b/{world.building_id}/events/new", headers=en()), htmx=False)
    assert_page(web.get(f"/b/{world.building_id}/events/new", htmx=True, headers=en()), htmx=True)
    response = web.post(
        f"/b/{world.building_id}/events",
        {
            "title": "Legal-knowledge talk",
            "place": "Neighbour station",
            "starts_at": "2030-05-01T14:30",
            "ends_at": "2030-05-01T16:00",
            "capacity": "30",
            "guests_allowed": "on",
            "max_guests": "2",
        },
    )
    path = location(response)
    event_id = int(path.rsplit("/", 1)[1])
    row = web.run(Event.select().where(Event.id == event_id).first)
    assert row["starts_at"] == datetime(2030, 5, 1, 6, 30, tzinfo=UTC)  # Shanghai is UTC+8
    assert row["capacity"] == 30
    assert row["building"] == world.building_id
    page = web.get(path, headers=en())
    assert "30 of 30 places left" in text_of(page)


def test_bad_event_form_keeps_what_was_typed(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.post(
        f"/b/{world.building_id}/events",
        {"title": "Festival", "starts_at": "tomorrow", "ends_at": "", "capacity": "lots"},
        headers=en(),
    )
    assert_page(response, 422, htmx=False)
    assert 'value="Festival"' in response.text
    assert "Please give a date and time" in response.text
    response = web.post(
        f"/b/{world.building_id}/events",
        {"title": "Festival", "starts_at": "2030-05-01T14:30", "ends_at": "2030-05-01T13:00"},
        headers=en(),
    )
    assert response.status_code == 422
    assert "The end must come after the start." in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_event_page(web: Web, world: World, htmx: bool) -> None:
    event_id = event_of(web, world)
    web.sign_in(world.resident.login)
    response = web.get(f"/b/{world.building_id}/events/{event_id}", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Legal-knowledge talk" in text
    assert "20 of 20 places left" in text
    assert "Who is coming" not in text


def test_answer_without_javascript(web: Web, world: World) -> None:
    event_id = event_of(web, world)
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/events/{event_id}"
    # The stepper before answering only shows the number, saving nothing.
    assert location(web.post(f"{base}/answer", {"guests": "0", "change": "more"})) == (
        f"{base}?guests=1"
    )
    assert answer_row(web, event_id, world.resident.id) is None
    assert 'name="guests" value="1"' in web.get(f"{base}?guests=1").text
    assert location(web.post(f"{base}/answer", {"guests": "1", "status": "going"})) == (
        f"{base}?guests=1"
    )
    row = answer_row(web, event_id, world.resident.id)
    assert (row["status"], row["guests"]) == ("going", 1)
    assert "You are going. With 1 guest." in text_of(web.get(base, headers=en()))


def test_answer_buttons_update_in_place(web: Web, world: World) -> None:
    event_id = event_of(web, world, capacity=2)
    web.sign_in(world.resident.login)
    url = f"/b/{world.building_id}/events/{event_id}/answer"
    target = {"HX-Target": f"answer-{event_id}", **en()}
    response = web.post(url, {"guests": "0", "status": "going"}, htmx=True, headers=target)
    assert response.status_code == 200
    assert "<title>" not in response.text
    assert response.text.lstrip().startswith('<div class="answer" id="answer-')
    assert "You are going." in text_of(response)
    assert "1 of 2 places left" in text_of(response)
    # Already going: the stepper saves the new number of guests at once.
    response = web.post(url, {"guests": "0", "change": "more"}, htmx=True, headers=target)
    assert "With 1 guest." in text_of(response)
    assert answer_row(web, event_id, world.resident.id)["guests"] == 1
    # No room for a second guest: the reason, in place.
    response = web.post(url, {"guests": "1", "change": "more"}, htmx=True, headers=target)
    assert response.status_code == 409
    assert "not enough places" in text_of(response)
    response = web.post(url, {"guests": "0", "status": "no"}, htmx=True, headers=target)
    assert "2 of 2 places left" in text_of(response)


def test_full_event_puts_people_on_the_waitlist(web: Web, world: World) -> None:
    event_id = event_of(web, world, capacity=1)
    web.run(actions.do_answer, world.volunteer.id, world.building_id, event_id, "going")
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/events/{event_id}"
    web.post(f"{base}/answer", {"status": "going"})
    assert "You are on the waitlist" in text_of(web.get(base, headers=en()))
    web.run(actions.do_answer, world.volunteer.id, world.building_id, event_id, "no")
    assert "You are going." in text_of(web.get(base, headers=en()))
    today = text_of(web.get("/", headers=en()))
    assert "You got a place, off the waitlist: Legal-knowledge talk" in today
    assert location(web.post("/today/dismiss")) == "/"
    assert "off the waitlist" not in text_of(web.get("/", headers=en()))


def test_closed_answers(web: Web, world: World) -> None:
    starts = datetime.now(UTC) + timedelta(days=1)
    event_id = event_of(
        web,
        world,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        rsvp_deadline=datetime.now(UTC) - timedelta(hours=1),
    )
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/events/{event_id}"
    assert "Answers for this event are closed." in text_of(web.get(base, headers=en()))
    response = web.post(f"{base}/answer", {"status": "going"}, headers=en())
    assert response.status_code == 409
    assert "closed" in text_of(response)


def test_leader_edits_and_cancels(web: Web, world: World) -> None:
    event_id = event_of(web, world, capacity=1)
    web.run(actions.do_answer, world.volunteer.id, world.building_id, event_id, "going")
    web.run(actions.do_answer, world.resident.id, world.building_id, event_id, "going")
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}/events/{event_id}"
    for htmx in (False, True):
        response = web.get(f"{base}/edit", htmx=htmx, headers=en())
        assert_page(response, htmx=htmx)
        assert 'value="Legal-knowledge talk"' in response.text
    form = {
        "title": "Bigger talk",
        "starts_at": "2030-05-01T14:30",
        "ends_at": "2030-05-01T16:00",
        "capacity": "2",
    }
    assert location(web.post(f"{base}/edit", form)) == base
    assert answer_row(web, event_id, world.resident.id)["waitlisted"] is False  # promoted
    bad = web.post(f"{base}/edit", {**form, "capacity": "0"}, headers=en())
    assert bad.status_code == 422
    assert "from 1 to 100000" in bad.text
    assert location(web.post(f"{base}/cancel")) == base
    assert "This event has been cancelled." in text_of(web.get(base, headers=en()))
    web.sign_in(world.resident.login)
    assert "Cancelled: Bigger talk" in text_of(web.get("/", headers=en()))


def test_community_wide_events_are_the_admins(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.post(
        f"/b/{world.building_id}/events",
        {
            "title": "Neighbourhood festival",
            "starts_at": "2030-06-01T09:00",
            "ends_at": "2030-06-01T12:00",
            "community_wide": "on",
        },
    )
    event_id = int(location(response).rsplit("/", 1)[1])
    row = web.run(Event.select().where(Event.id == event_id).first)
    assert row["building"] is None
    assert row["community"] == world.community_id
    web.sign_in(world.leader.login)
    assert web.get(f"/b/{world.building_id}/events/{event_id}").status_code == 200
    assert web.get(f"/b/{world.building_id}/events/{event_id}/edit").status_code == 403
    assert web.post(f"/b/{world.building_id}/events/{event_id}/cancel").status_code == 403
    web.sign_in(world.other_leader.login)
    assert web.get(f"/b/{world.other_building_id}/events/{event_id}").status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_leaders_list_attendance_and_csv(web: Web, world: World, htmx: bool) -> None:
    event_id = event_of(web, world, capacity=2)
    web.run(actions.do_answer, world.volunteer.id, world.building_id, event_id, "going", 1)
    web.run(actions.do_answer, world.resident.id, world.building_id, event_id, "going")
    web.run(actions.do_answer, world.leader.id, world.building_id, event_id, "maybe")
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}/events/{event_id}"
    response = web.get(f"{base}/people", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Going (1)" in text
    assert "Waitlist (1)" in text
    assert "Maybe (1)" in text
    answer_id = answer_row(web, event_id, world.volunteer.id)["id"]
    if htmx:
        response = web.post(
            f"{base}/attendance",
            {"answer_id": str(answer_id), "attended": "1"},
            htmx=True,
            headers={"HX-Target": f"attended-{answer_id}"},
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<form class="tick"')
        assert 'aria-pressed="true"' in response.text
    else:
        response = web.post(f"{base}/attendance", {"answer_id": str(answer_id), "attended": "1"})
        assert location(response) == f"{base}/people"
    assert answer_row(web, event_id, world.volunteer.id)["attended"] is True
    assert web.post(f"{base}/attendance", {"answer_id": "999999"}).status_code == 409
    csv = web.get(f"{base}/people.csv", headers=en())
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Name,Answer,Guests,Places,Attended"
    assert "Volunteer Li,Going,1,2,Yes" in lines
    assert "Resident Chen,Waitlist,0,0," in lines
    assert "Leader Wang,Maybe,0,0," in lines


def test_query_counts_stay_fixed_as_answers_grow(web: Web, world: World) -> None:
    from tests.query_count import counting_queries

    counts = []
    for size in (10, 1000):
        event_id = event_of(web, world, capacity=None, title=f"Party {size}")

        async def fill(event_id: int = event_id, size: int = size) -> None:
            people = await make_users(size, f"Guest{size}")
            await Answer.insert(
                *[Answer(event=event_id, user=user, status="going") for user in people]
            )

        web.run(fill)
        web.sign_in(world.leader.login)
        seen = []
        for path in (
            f"/b/{world.building_id}/events/{event_id}",
            f"/b/{world.building_id}/events/{event_id}/people",
            f"/b/{world.building_id}/events",
            f"/b/{world.building_id}/events?list=mine",
            "/",
        ):
            with counting_queries() as queries:
                assert web.get(path).status_code == 200
            seen.append(len(queries))
        counts.append(seen)
    assert all(count > 0 for count in counts[0])
    assert counts[0] == counts[1]


def test_cover_photo_is_cleaned_kept_and_served_to_members(web: Web, world: World) -> None:
    from tests.media.images import phone_jpeg

    web.sign_in(world.leader.login)
    form = {"title": "Festival", "starts_at": "2030-06-01T09:00", "ends_at": "tomorrow"}
    files = {"cover": ("festival.jpg", phone_jpeg(), "image/jpeg")}
    response = web.post(f"/b/{world.building_id}/events", form, files=files, headers=en())
    assert response.status_code == 422  # the end is wrong; the photo is kept for the next try
    kept = re.search(r'name="kept_cover" value="([^"]+)"', response.text)
    assert kept
    form = {**form, "ends_at": "2030-06-01T12:00", "kept_cover": kept.group(1)}
    event_id = int(location(web.post(f"/b/{world.building_id}/events", form)).rsplit("/", 1)[1])
    base = f"/b/{world.building_id}/events/{event_id}"
    page = web.get(base).text
    assert f'src="{base}/cover?v=' in page
    assert "format=webp" in page
    web.sign_in(world.resident.login)
    photo = web.get(f"{base}/cover")
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in photo.content[:4096]
    assert web.get(f"{base}/cover?size=thumb").status_code == 200
    bad = {"cover": ("notes.jpg", b"not a photo", "image/jpeg")}
    web.sign_in(world.leader.login)
    response = web.post(f"{base}/edit", {**form, "kept_cover": ""}, files=bad, headers=en())
    assert response.status_code == 422
    assert 'id="f-cover-error"' in response.text
    web.post(f"{base}/edit", {**form, "remove_cover": "on"})
    assert web.get(f"{base}/cover").status_code == 404


def test_a_notice_photo_is_cleaned_kept_and_served_to_members_only(web: Web, world: World) -> None:
    from tests.media.images import phone_jpeg

    web.sign_in(world.leader.login)
    notices = f"/b/{world.building_id}/notices"
    form = {"title": "Water off on Friday", "text": "", "ends_on": "soon"}
    files = {"photo": ("notice.jpg", phone_jpeg(), "image/jpeg")}
    response = web.post(notices, form, files=files, headers=en())
    assert response.status_code == 422  # no text, bad date; the photo is kept for the next try
    kept = re.search(r'name="kept_photo" value="([^"]+)"', response.text)
    assert kept
    form = {**form, "text": "From 9 to 12.", "ends_on": "", "kept_photo": kept.group(1)}
    assert location(web.post(notices, form)) == notices
    board = web.get(notices, headers=en())
    photo_path = re.search(r'src="(/b/\d+/notices/\d+/photo)\?v=', board.text)
    assert photo_path
    web.sign_in(world.resident.login)
    photo = web.get(photo_path.group(1))
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in photo.content[:4096]
    assert "Water off on Friday" in text_of(web.get("/", headers=en()))
    web.sign_in(world.other_leader.login)
    foreign = photo_path.group(1).replace(
        f"/b/{world.building_id}/", f"/b/{world.other_building_id}/"
    )
    assert web.get(foreign).status_code == 404
