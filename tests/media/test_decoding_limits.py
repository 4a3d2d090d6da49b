"""Decoding a photo cannot exhaust the memory (issue 10, item 6): a file that would decode too
large is refused before it is decoded, a JPEG decodes reduced to the size kept, and a process
cleans a bounded number of photos at a time. bench/image_attack.py measures the memory of a
real server under the attack."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from litestar.datastructures import UploadFile
from PIL import ImageFile

from hub.errors import Refused
from hub.i18n import current_language
from hub.media import images
from tests.media.images import grey_jpeg, one_bit_png, phone_jpeg


@pytest.fixture(autouse=True)
def english() -> None:
    current_language.set("en")


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)


def test_a_tiny_png_declaring_8000_by_8000_is_refused_before_it_is_decoded(
    no_decoding: None,
) -> None:
    data = one_bit_png(8000, 8000)
    assert len(data) < 10_000, "the attack's file is a few KB"
    with pytest.raises(Refused) as refused:
        images.clean_image(data, "bomb.png")
    assert "too many pixels" in refused.value.message


def test_a_long_phone_screenshot_is_kept() -> None:
    clean = images.clean_image(one_bit_png(1080, 14_000), "chat.png")
    assert (clean.width, clean.height) == (123, 1600)


def test_a_phone_jpeg_decodes_at_the_smallest_scale_that_covers_the_kept_size() -> None:
    assert images.open_for_keeping(phone_jpeg(4032, 3024)).size == (2016, 1512)
    # A 50-megapixel photo decodes at a sixteenth of its pixels.
    assert images.open_for_keeping(grey_jpeg(8160, 6144)).size == (2040, 1536)


def test_a_50_megapixel_phone_photo_is_kept_at_the_kept_size() -> None:
    clean = images.clean_image(grey_jpeg(8160, 6144), "IMG_50MP.jpg")
    assert (clean.width, clean.height) == (1600, 1205)


def test_a_progressive_jpeg_must_fit_the_decode_limit_whole() -> None:
    # libjpeg keeps every coefficient of a progressive JPEG at full size, whatever the scale.
    with pytest.raises(Refused):
        images.open_for_keeping(grey_jpeg(5000, 4000, progressive=True), "web.jpg")
    assert images.open_for_keeping(grey_jpeg(5000, 4000), "camera.jpg").size == (2500, 2000)


def test_a_process_cleans_at_most_image_workers_photos_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def slow_store(data: bytes, name: str = "") -> images.StoredImage:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return images.StoredImage(file=name, thumb=name, width=1, height=1)

    monkeypatch.setattr(images, "store_image", slow_store)

    async def report(n: int) -> list[images.StoredImage]:
        uploads = [
            UploadFile(content_type="image/png", filename=f"{n}-{i}.png", file_data=b"png")
            for i in range(6)
        ]
        stored, refusals = await images.store_uploads(uploads)
        assert refusals == []
        return stored

    async def attack() -> list[list[images.StoredImage]]:
        return await asyncio.gather(*(report(n) for n in range(4)))

    reports = asyncio.run(attack())
    assert [len(stored) for stored in reports] == [6, 6, 6, 6]
    assert most == images.IMAGE_WORKERS == 2
