"""A full disk (issue 10, item 11): a check-in with a photo keeps the check-in and refuses the
photo with a clear message; no file, whole or partial, is left behind."""

from __future__ import annotations

import errno
import uuid
from pathlib import Path
from typing import Any

import pytest

from hub.errors import Refused
from hub.i18n import current_language
from hub.media import images
from hub.patrols.tables import CheckIn, CheckInPhoto
from tests.accounts.pages import en, location
from tests.factories import World
from tests.media.images import phone_jpeg, small_jpeg
from tests.patrols.world import make_route
from tests.web_client import Web, text_of


class FullDisk:
    """open() for images.py on a disk that takes `room` more bytes: a write past it puts what
    fits, then fails with ENOSPC, as a real full disk does."""

    def __init__(self, room: int) -> None:
        self.room = room

    def __call__(self, path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        real = open(path, mode, *args, **kwargs)  # noqa: SIM115 - closed by the caller
        if "w" not in mode:
            return real
        disk = self
        original_write = real.write

        def write(data: bytes) -> int:
            fits = min(len(data), disk.room)
            original_write(data[:fits])
            disk.room -= fits
            if fits < len(data):
                real.flush()
                raise OSError(errno.ENOSPC, "No space left on device")
            return fits

        real.write = write
        return real


def files_on_disk() -> set[str]:
    return {path.name for path in images.photos_dir().iterdir()}


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    disk = FullDisk(room=0)
    monkeypatch.setattr(images, "open", disk, raising=False)
    return disk


@pytest.mark.parametrize("room", [0, 1000, "all but the thumbnail"])
def test_a_photo_that_does_not_fit_leaves_no_file(full_disk: FullDisk, room: int | str) -> None:
    current_language.set("en")
    data = phone_jpeg()
    clean = images.clean_image(data, "door.jpg")
    full_disk.room = len(clean.full) + 100 if room == "all but the thumbnail" else int(room)
    before = files_on_disk()
    with pytest.raises(Refused) as refused:
        images.store_image(data, "door.jpg")
    assert refused.value.message == (
        "“door.jpg” could not be kept: the server has no room left for photos. "
        "Please tell your building's leader."
    )
    assert files_on_disk() == before, "no photo, thumbnail or temporary file stays"


def test_a_check_in_on_a_full_disk_is_kept_and_the_photo_refused(
    web: Web, world: World, full_disk: FullDisk
) -> None:
    patrol = web.run(make_route, world)
    web.sign_in(world.volunteer.login)
    before = files_on_disk()
    response = web.post(
        f"/c/{patrol.tokens[0]}",
        {"client_uuid": str(uuid.uuid4()), "start": "1", "note": "Lobby light out"},
        files=[("photo", ("lobby.jpg", small_jpeg(), "image/jpeg"))],
        headers=en(),
    )
    # The check-in is saved: the address is the poster's, which says why the photo was not
    assert response.status_code == 303
    page = text_of(web.get(location(response), headers=en()))
    assert "The check-in is saved, but not the photo" in page
    assert "the server has no room left for photos" in page
    [check_in] = web.run(CheckIn.select(CheckIn.note).run)
    assert check_in["note"] == "Lobby light out"
    assert web.run(CheckInPhoto.count) == 0
    assert files_on_disk() == before


def test_the_refusal_is_in_chinese_on_a_chinese_page(full_disk: FullDisk) -> None:
    current_language.set("zh")
    with pytest.raises(Refused) as refused:
        images.store_image(small_jpeg(), "门.jpg")
    assert "门.jpg" in refused.value.message
    assert "no room" not in refused.value.message


def test_a_temporary_file_goes_when_the_rename_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_rename(source: Any, target: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(images.os, "replace", no_rename)
    with pytest.raises(images.NotKept) as failed:
        images.write_file(tmp_path / "a.jpg", b"data")
    assert not failed.value.no_room
    assert list(tmp_path.iterdir()) == []
