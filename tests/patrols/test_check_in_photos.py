"""Photos at check-ins: taken at the poster or added later, cleaned, shown to the patrol team
only, in the round and the log book, and carried over when an observation becomes a task."""

from __future__ import annotations

import asyncio
import io
import re
import uuid

import pytest
from PIL import Image

from hub.community.roles import Role
from hub.media.images import photos_dir, store_image, stored_path
from hub.patrols import actions
from hub.patrols.tables import CheckIn, CheckInPhoto, Observation
from hub.tasks.tables import TaskEntry, TaskPhoto
from tests.accounts.pages import assert_page, en, location
from tests.factories import World, add_member, make_person
from tests.media.images import phone_jpeg, small_jpeg
from tests.patrols.world import Patrol, make_route
from tests.web_client import Web, text_of


def jpeg(name: str = "door.jpg", data: bytes | None = None) -> list[tuple[str, tuple]]:
    return [("photo", (name, data if data is not None else small_jpeg(), "image/jpeg"))]


def start_round(web: Web, world: World, patrol: Patrol, **files: object) -> str:
    """The volunteer scans the first poster, starting a round; the round's path."""
    web.sign_in(world.volunteer.login)
    response = web.post(
        f"/c/{patrol.tokens[0]}",
        {"client_uuid": str(uuid.uuid4()), "start": "1", "note": "Lobby light flickers"},
        **files,
    )
    return location(response)


def said_on_the_round(web: Web, response: object, round_path: str) -> str:
    """A refusal on a round is said on the round page, where it sends the person back."""
    assert location(response) == round_path  # type: ignore[arg-type]
    return text_of(web.get(round_path, headers=en()))


def photo_rows(web: Web) -> list[dict]:
    return web.run(CheckInPhoto.select().order_by(CheckInPhoto.id).run)


def stored_files() -> set[str]:
    return {path.name for path in photos_dir().iterdir()}


def test_a_photo_taken_at_the_poster_is_cleaned_and_shown_on_the_round(
    web: Web, world: World
) -> None:
    patrol = web.run(make_route, world)
    web.sign_in(world.volunteer.login)
    page = web.get(f"/c/{patrol.tokens[0]}", headers=en())
    assert 'enctype="multipart/form-data"' in page.text
    assert 'name="photo"' in page.text
    round_path = start_round(web, world, patrol, files=jpeg(data=phone_jpeg()))
    [photo] = photo_rows(web)
    assert web.run(CheckIn.select(CheckIn.note).first().run)["note"] == "Lobby light flickers"
    stored = stored_path(photo["file"])
    assert stored is not None
    with Image.open(stored) as image:
        assert max(image.size) <= 1600
        assert not image.getexif()  # the phone's location and camera are gone
    round_page = web.get(round_path, headers=en())
    b = world.building_id
    assert f"/b/{b}/checkins/photos/{photo['id']}?size=320" in round_page.text
    assert 'alt="Photo 1 at Lobby"' in round_page.text
    full = web.get(f"/b/{b}/checkins/photos/{photo['id']}")
    assert full.status_code == 200
    assert full.headers["content-type"] == "image/jpeg"
    assert full.headers["cache-control"].startswith("private")
    assert web.get(f"/b/{b}/checkins/photos/{photo['id']}/thumb").status_code == 200


def test_the_photo_is_for_the_volunteer_who_took_it_and_the_leaders(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    start_round(web, world, patrol, files=jpeg())
    [photo] = photo_rows(web)
    path = f"/b/{world.building_id}/checkins/photos/{photo['id']}"
    web.sign_in(world.leader.login)
    assert web.get(path).status_code == 200
    other = web.run(make_person, "Volunteer Zhao", email="zhao@example.org")
    web.run(add_member, other, world.building_id, Role.VOLUNTEER)
    web.sign_in(other.login)
    assert web.get(path).status_code == 404
    web.sign_in(world.resident.login)
    assert web.get(path).status_code == 403
    web.sign_in(world.people["other_leader"].login)
    assert web.get(f"/b/{world.other_building_id}/checkins/photos/{photo['id']}").status_code in (
        403,
        404,
    )


def test_a_replayed_check_in_keeps_one_photo(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    round_path = start_round(web, world, patrol)
    form = {
        "checkpoint_id": str(patrol.checkpoint_ids[1]),
        "client_uuid": str(uuid.uuid4()),
        "device_time": "2026-12-05T11:00:00Z",
        "note": "Stairs wet",
    }
    before = stored_files()
    for _ in range(3):
        response = web.post(f"/b/{world.building_id}/checkins", form, files=jpeg())
        assert location(response) == round_path
    assert web.run(CheckIn.count) == 2
    [photo] = photo_rows(web)
    assert stored_files() - before == {photo["file"], photo["thumb"]}  # replays leave no files


def test_a_file_that_is_not_a_photo_is_refused_and_the_check_in_kept(
    web: Web, world: World
) -> None:
    patrol = web.run(make_route, world)
    round_path = start_round(web, world, patrol)
    response = web.post(
        f"/b/{world.building_id}/checkins",
        {
            "checkpoint_id": str(patrol.checkpoint_ids[1]),
            "client_uuid": str(uuid.uuid4()),
            "note": "Stairs wet",
        },
        files=jpeg("notes.jpg", b"this is not a picture"),
        headers=en(),
    )
    text = said_on_the_round(web, response, round_path)
    assert "The check-in is saved, but not the photo" in text
    assert "notes.jpg" in text
    assert web.run(CheckIn.count) == 2
    assert "Stairs wet" in text
    assert photo_rows(web) == []
    # The offline queue, sending it again, reads the refusal's code and message.
    replay = web.post(
        f"/b/{world.building_id}/checkins",
        {"checkpoint_id": str(patrol.checkpoint_ids[2]), "client_uuid": str(uuid.uuid4())},
        files=jpeg("notes.jpg", b"this is not a picture"),
        headers={**en(), "X-Hub-Replay": "1"},
    )
    assert replay.status_code == 422
    assert replay.headers["x-hub-refusal"] == "invalid"
    assert replay.json()["refusal"] == "invalid"
    assert replay.json()["message"].startswith("The check-in is saved, but not the photo")


@pytest.mark.parametrize("htmx", [False, True])
def test_photos_are_added_to_a_check_in_up_to_a_limit(web: Web, world: World, htmx: bool) -> None:
    patrol = web.run(make_route, world)
    round_path = start_round(web, world, patrol)
    round_id = round_path.rsplit("/", 1)[1]
    check_in_id = web.run(CheckIn.select(CheckIn.id).first().run)["id"]
    add = f"/b/{world.building_id}/checkins/{check_in_id}/photos"
    page = web.get(round_path, htmx=htmx, headers=en())
    assert_page(page, htmx=htmx)
    assert f'action="{add}"' in page.text
    empty = web.post(add, {"round_id": round_id}, htmx=htmx, headers=en())
    assert "Please choose a photo." in said_on_the_round(web, empty, round_path)
    for _ in range(3):
        assert location(web.post(add, {"round_id": round_id}, files=jpeg())) == round_path
    before = stored_files()
    full = web.post(add, {"round_id": round_id}, files=jpeg(), headers=en())
    assert stored_files() == before  # the refused photo is not kept
    assert "at most 3 photos" in said_on_the_round(web, full, round_path)
    assert len(photo_rows(web)) == 3
    assert f'action="{add}"' not in web.get(round_path).text  # no form once it is full


def test_nobody_adds_a_photo_to_someone_elses_check_in(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    round_path = start_round(web, world, patrol)
    check_in_id = web.run(CheckIn.select(CheckIn.id).first().run)["id"]
    web.sign_in(world.leader.login)
    response = web.post(
        f"/b/{world.building_id}/checkins/{check_in_id}/photos",
        {"round_id": round_path.rsplit("/", 1)[1]},
        files=jpeg(),
    )
    assert response.status_code in (303, 404, 409)
    assert photo_rows(web) == []


def test_the_log_book_shows_the_photos_and_the_csv_counts_them(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    start_round(web, world, patrol, files=jpeg())
    [photo] = photo_rows(web)
    web.sign_in(world.leader.login)
    book = web.get(f"/b/{world.building_id}/logbook", headers=en())
    assert f"/b/{world.building_id}/checkins/photos/{photo['id']}?size=320" in book.text
    csv_text = web.get(f"/b/{world.building_id}/logbook.csv", headers=en()).text
    header, first = csv_text.splitlines()[:2]
    assert header.endswith(",Photos,Observations")
    assert first.endswith(",1,"), "one photo, no observation"


def test_an_observation_becomes_a_task_with_its_photos_and_a_link_back(
    web: Web, world: World
) -> None:
    patrol = web.run(make_route, world)
    round_path = start_round(web, world, patrol, files=jpeg())
    round_id = round_path.rsplit("/", 1)[1]
    check_in_id = web.run(CheckIn.select(CheckIn.id).first().run)["id"]
    web.post(
        f"/b/{world.building_id}/checkins/{check_in_id}/observations",
        {"round_id": round_id, "kind": "repair", "severity": "high", "note": "Door won't close"},
    )
    web.sign_in(world.leader.login)
    observation_id = web.run(Observation.select(Observation.id).first().run)["id"]
    task_path = location(web.post(f"/b/{world.building_id}/observations/{observation_id}/task"))
    task_id = int(task_path.rsplit("/", 1)[1])
    [check_in_photo] = photo_rows(web)
    [task_photo] = web.run(TaskPhoto.select().run)
    assert task_photo["task"] == task_id
    assert task_photo["file"] != check_in_photo["file"]  # a copy the task keeps
    assert stored_path(task_photo["file"]) is not None
    kinds = [row["kind"] for row in web.run(TaskEntry.select().order_by(TaskEntry.id).run)]
    assert kinds == ["created", "observation"]
    page = web.get(task_path, headers=en())
    text = text_of(page)
    assert "made this task from a patrol observation" in text
    assert re.search(rf'<a href="{round_path}">See the patrol round</a>', page.text)
    assert f"/b/{world.building_id}/tasks/photos/{task_photo['id']}?size=320" in page.text
    with Image.open(
        io.BytesIO(web.get(f"/b/{world.building_id}/tasks/photos/{task_photo['id']}").content)
    ) as image:
        assert image.format == "JPEG"
    # And the round links to the task.
    assert f'href="{task_path}"' in web.get(round_path).text
    # A resident reads where the task came from, with no link to a round they may not open.
    web.sign_in(world.resident.login)
    assert web.get(round_path).status_code == 403
    page = web.get(task_path, headers=en())
    assert "made this task from a patrol observation" in text_of(page)
    assert "See the patrol round" not in page.text
    assert f'href="{round_path}"' not in page.text


def test_a_photo_added_later_and_replayed_is_stored_once(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    round_path = start_round(web, world, patrol)
    check_in_id = web.run(CheckIn.select(CheckIn.id).first().run)["id"]
    form = {"round_id": round_path.rsplit("/", 1)[1], "client_uuid": str(uuid.uuid4())}
    add = f"/b/{world.building_id}/checkins/{check_in_id}/photos"
    before = stored_files()
    for _ in range(3):
        assert location(web.post(add, form, files=jpeg())) == round_path
    [photo] = photo_rows(web)
    assert stored_files() - before == {photo["file"], photo["thumb"]}
    assert location(web.post(add, {**form, "client_uuid": str(uuid.uuid4())}, files=jpeg()))
    assert len(photo_rows(web)) == 2


def test_a_photo_sent_three_times_at_once_is_stored_once(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    start_round(web, world, patrol)
    check_in_id = web.run(CheckIn.select(CheckIn.id).first().run)["id"]
    client_uuid = str(uuid.uuid4())

    async def three() -> None:
        photos = [store_image(small_jpeg()) for _ in range(3)]
        await asyncio.gather(
            *[
                actions.do_add_photo(
                    world.volunteer.id, world.building_id, check_in_id, photo, client_uuid
                )
                for photo in photos
            ]
        )

    web.run(three)
    assert [row["client_uuid"] for row in photo_rows(web)] == [client_uuid]
