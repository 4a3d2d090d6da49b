"""Reporting a problem: the form, its photos (checked, cleaned, kept when another is refused),
and "is it one of these?" before saving."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from hub.media.images import MAX_UPLOAD_BYTES, stored_path
from tests.accounts.pages import assert_page, en, field_error, input_value, location
from tests.factories import World
from tests.media.images import CAMERA, phone_jpeg, small_jpeg, transparent_png
from tests.tasks.support import DOOR, entries, new_task, photos, report, task_row
from tests.web_client import Web, text_of

JPEG = ("IMG_0001.jpg", phone_jpeg(), "image/jpeg")
PNG = ("plan.png", transparent_png(), "image/png")
TEXT_AS_JPEG = ("notes.jpg", b"the door is broken, please fix it\n" * 40, "image/jpeg")


def truncated() -> tuple[str, bytes, str]:
    data = phone_jpeg()
    return ("half.jpg", data[: len(data) // 2], "image/jpeg")


@pytest.mark.parametrize("htmx", [False, True])
def test_the_report_form_is_a_page_and_a_fragment(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.resident.login)
    response = web.get(f"/b/{world.building_id}/tasks/new", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    assert 'enctype="multipart/form-data"' in response.text
    assert 'type="file" accept="image/*" multiple' in response.text


def test_a_report_with_a_phone_photo_and_a_png_keeps_no_location(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = report(web, world.building_id, photos=[JPEG, PNG])
    task_id = int(location(response).rsplit("/", 1)[-1])
    task = task_row(web, task_id)
    assert task["title"] == DOOR["title"]
    assert task["status"] == "reported"
    assert task["reporter"] == world.resident.id
    stored = photos(web, task_id)
    assert len(stored) == 2
    assert [entry["kind"] for entry in entries(web, task_id)] == ["created"]
    jpeg_file = stored_path(stored[0]["file"])
    assert jpeg_file is not None
    data = jpeg_file.read_bytes()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert CAMERA.encode() not in data
    assert stored[1]["file"].endswith(".png")

    # Members see the photos through Hub's route, with the cleaned bytes.
    served = web.get(f"/b/{world.building_id}/tasks/photos/{stored[0]['id']}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.content == data
    thumb = web.get(f"/b/{world.building_id}/tasks/photos/{stored[0]['id']}/thumb")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
    page = web.get(f"/b/{world.building_id}/tasks/{task_id}")
    assert f"/b/{world.building_id}/tasks/photos/{stored[0]['id']}?size=320" in page.text
    assert stored[0]["file"] not in page.text, "stored names are never shown"


def test_photos_are_not_found_outside_their_building(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    task_id = int(location(report(web, world.building_id, photos=[JPEG])).rsplit("/", 1)[-1])
    photo_id = photos(web, task_id)[0]["id"]
    web.sign_out()
    web.sign_in(world.other_leader.login)
    for path in (
        f"/b/{world.building_id}/tasks/photos/{photo_id}",
        f"/b/{world.other_building_id}/tasks/photos/{photo_id}",
        f"/b/{world.other_building_id}/tasks/photos/{photo_id}/thumb",
    ):
        assert web.get(path).status_code == 404, path
    web.sign_out()
    assert web.get(f"/b/{world.building_id}/tasks/photos/{photo_id}").status_code == 303
    uploads = web.get(f"/static/../var/uploads/photos/{photos(web, task_id)[0]['file']}")
    assert uploads.status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (TEXT_AS_JPEG, "“notes.jpg” is not a photo we can read."),
        (truncated(), "“half.jpg” is damaged or incomplete."),
        (
            ("huge.jpg", b"\xff\xd8" + b"\0" * (MAX_UPLOAD_BYTES + 10), "image/jpeg"),
            "“huge.jpg” is larger than 10 MB.",
        ),
    ],
    ids=["text named .jpg", "truncated", "oversize"],
)
def test_a_bad_photo_is_refused_and_the_rest_of_the_form_is_kept(
    web: Web, world: World, upload: tuple[str, bytes, str], message: str
) -> None:
    web.sign_in(world.resident.login)
    response = report(web, world.building_id, photos=[JPEG, upload], headers=en())
    assert response.status_code == 422
    assert message in field_error(response, "f-photos")
    assert input_value(response, "title") == DOOR["title"]
    kept = input_value(response, "kept_photos")
    assert kept is not None, "the good photo is kept for the next try"
    assert kept.endswith(".jpg")
    assert "1 photo is already added." in text_of(response)
    assert photos(web) == [], "nothing is saved yet"

    # Sending the form again without the bad file saves the task with the kept photo.
    again = web.post(
        f"/b/{world.building_id}/tasks/new",
        {**DOOR, "kept_photos": kept},
        files=[("photos", ("", b"", "application/octet-stream"))],
    )
    task_id = int(location(again).rsplit("/", 1)[-1])
    assert [photo["file"] for photo in photos(web, task_id)] == [kept]


def test_seven_photos_are_one_too_many(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    seven = [(f"p{i}.jpg", small_jpeg((i * 30, 80, 80)), "image/jpeg") for i in range(7)]
    response = report(web, world.building_id, photos=seven, headers=en())
    assert response.status_code == 422
    assert "at most 6 photos" in field_error(response, "f-photos")


def test_a_made_up_kept_photo_is_ignored(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post(
        f"/b/{world.building_id}/tasks/new",
        {**DOOR, "kept_photos": ["../secret_key", "0" * 32 + ".jpg"]},
    )
    task_id = int(location(response).rsplit("/", 1)[-1])
    assert photos(web, task_id) == []


def test_missing_fields_are_named(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post(f"/b/{world.building_id}/tasks/new", {"title": " "}, headers=en())
    assert response.status_code == 422
    assert field_error(response, "f-title") == "Please fill this in."
    assert field_error(response, "f-place_kind") == "Please choose one of the options."
    assert field_error(response, "f-category") == "Please choose one of the options."


def test_a_similar_open_task_is_offered_before_saving(web: Web, world: World) -> None:
    existing = new_task(web, world, reporter=world.volunteer)
    web.sign_in(world.resident.login)
    fields = {"title": "Lobby door won't close", "description": "", "place": ""}
    response = report(web, world.building_id, fields, photos=[JPEG], headers=en())
    assert response.status_code == 200
    text = text_of(response)
    assert "Is it one of these?" in text
    assert DOOR["title"] in text
    assert input_value(response, "confirmed_new") == "1"
    assert input_value(response, "kept_photos"), "the photo waits with the form"
    assert photos(web) == []

    # Following the existing task instead of reporting it again.
    follow = web.post(f"/b/{world.building_id}/tasks/{existing}/follow")
    assert location(follow) == f"/b/{world.building_id}/tasks/{existing}"
    assert [entry["kind"] for entry in entries(web, existing)] == ["created", "followed"]
    web.post(f"/b/{world.building_id}/tasks/{existing}/follow")
    assert len(entries(web, existing)) == 2, "following twice changes nothing"
    page = text_of(web.get(f"/b/{world.building_id}/tasks/{existing}", headers=en()))
    assert "Resident Chen has this problem too" in page
    mine = text_of(web.get(f"/b/{world.building_id}/tasks/mine", headers=en()))
    assert DOOR["title"] in mine

    # Or reporting it as new after all.
    confirmed = report(web, world.building_id, {**fields, "confirmed_new": "1"})
    assert location(confirmed).startswith(f"/b/{world.building_id}/tasks/")


def test_a_different_problem_is_saved_straight_away(web: Web, world: World) -> None:
    new_task(web, world)
    web.sign_in(world.resident.login)
    response = report(
        web,
        world.building_id,
        {
            "title": "Basement smells of gas",
            "place_kind": "basement",
            "category": "safety",
            "description": "",
            "place": "",
        },
    )
    assert response.status_code == 303


def test_closed_tasks_of_another_building_are_not_offered(web: Web, world: World) -> None:
    web.sign_in(world.other_leader.login)
    web.post(f"/b/{world.other_building_id}/tasks/new", DOOR)
    web.sign_out()
    web.sign_in(world.resident.login)
    assert report(web, world.building_id).status_code == 303


def test_the_report_route_takes_more_than_the_default_ten_megabytes(web: Web, world: World) -> None:
    """Six photos of up to 10 MB each: the upload routes raise Litestar's 10 MB body limit."""
    web.sign_in(world.resident.login)
    junk = [(f"scan{i}.jpg", b"\0" * (4 * 1024 * 1024), "image/jpeg") for i in range(3)]
    response = report(web, world.building_id, photos=[JPEG, *junk], headers=en())
    assert response.status_code == 422, "refused photo by photo, not as a whole (413)"
    assert "“scan2.jpg” is not a photo we can read." in field_error(response, "f-photos")
    assert input_value(response, "kept_photos")


def test_a_body_over_the_upload_limit_is_refused_whole(web: Web, world: World) -> None:
    from hub.tasks.routes import UPLOAD_BODY_LIMIT

    web.sign_in(world.resident.login)
    response = report(
        web, world.building_id, photos=[("big.jpg", b"\0" * (UPLOAD_BODY_LIMIT + 1), "image/jpeg")]
    )
    assert response.status_code == 413
