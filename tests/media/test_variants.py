"""Every stored photo in the sizes and formats pages need (issue 14): variants made on the first
request (photos stored before they existed included), modern formats only where smaller, and
pages that offer them through <picture> with width, height and lazy loading."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from hub.media import images, variants
from hub.tasks.tables import TaskPhoto
from tests.accounts.pages import en
from tests.factories import World
from tests.media.images import phone_jpeg, photo_like_jpeg, small_jpeg, transparent_png
from tests.tasks.support import report
from tests.web_client import Web


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def reported_photo(web: Web, world: World, data: bytes, name: str = "p.jpg") -> dict:
    web.sign_in(world.resident.login)
    assert report(web, world.building_id, {}, [(name, data, "image/jpeg")]).status_code == 303
    [photo] = web.run(TaskPhoto.select().run)
    return photo


@pytest.mark.parametrize(
    ("query", "content_type", "size"),
    [
        ("size=480", "image/jpeg", (480, 360)),
        ("size=960&format=webp", "image/webp", (960, 720)),
        ("size=320&format=avif", "image/avif", (320, 240)),
        ("", "image/jpeg", (1600, 1200)),  # the original, for leaders who download it
        ("size=5000", "image/jpeg", (1600, 1200)),  # no such size: the original
    ],
)
def test_a_photo_comes_in_the_size_and_format_asked_for(
    web: Web, world: World, query: str, content_type: str, size: tuple[int, int]
) -> None:
    photo = reported_photo(web, world, photo_like_jpeg(2400, 1800))
    url = f"/b/{world.building_id}/tasks/photos/{photo['id']}?{query}"
    answer = web.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == content_type
    assert answer.headers["cache-control"] == "private, max-age=604800, immutable"
    assert opened(answer.content).size == size
    assert b"Exif" not in answer.content[:4096]
    assert web.get(url).content == answer.content, "made once, then served as kept"


def test_modern_formats_are_smaller_than_the_jpeg(web: Web, world: World) -> None:
    photo = reported_photo(web, world, photo_like_jpeg(2400, 1800))
    url = f"/b/{world.building_id}/tasks/photos/{photo['id']}?size=960"
    jpeg = len(web.get(url).content)
    webp = len(web.get(url + "&format=webp").content)
    avif = len(web.get(url + "&format=avif").content)
    assert avif < webp < jpeg


def test_a_photo_stored_before_variants_existed_gets_them_when_asked(
    web: Web, world: World
) -> None:
    photo = reported_photo(web, world, phone_jpeg(2400, 1800))
    made = {path.name for path in images.files_of(photo["file"])}
    assert made == {photo["file"], photo["thumb"]}, "only the original and thumbnail at first"
    web.get(f"/b/{world.building_id}/tasks/photos/{photo['id']}?size=480&format=webp")
    token = photo["file"].removesuffix(".jpg")
    assert {path.name for path in images.files_of(photo["file"])} == made | {
        f"{token}-480.jpg",
        f"{token}-480.webp",
        f"{token}-480.avif",
    }


def test_a_small_photo_is_never_enlarged(web: Web, world: World) -> None:
    photo = reported_photo(web, world, small_jpeg())  # 640 x 480
    answer = web.get(f"/b/{world.building_id}/tasks/photos/{photo['id']}?size=960&format=webp")
    assert opened(answer.content).size == (640, 480)
    page = web.get(f"/b/{world.building_id}/tasks/{photo['task']}").text
    assert "?size=960 640w" in page
    assert "?size=480 480w" in page


def test_a_modern_format_that_is_not_smaller_points_to_the_smaller_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored = images.store_image(small_jpeg(), "grey.jpg")
    real = variants._encode

    def bulky_webp(image: Image.Image, fmt: str) -> bytes:
        data = real(image, fmt)
        return data + b"\0" * 1_000_000 if fmt in {"webp", "avif"} else data

    monkeypatch.setattr(variants, "_encode", bulky_webp)
    variants.make_variants(stored.file, 480)
    folder = images.photos_dir()
    jpeg = variants.variant_name(stored.file, 480, None)
    for fmt in ("webp", "avif"):
        link = folder / variants.variant_name(stored.file, 480, fmt)
        assert link.is_symlink()
        assert link.resolve() == (folder / jpeg).resolve()


def test_a_transparent_png_keeps_its_transparency_in_every_format() -> None:
    stored = images.store_image(transparent_png(), "plan.png")
    variants.make_variants(stored.file, 480)
    folder = images.photos_dir()
    for fmt in (None, "webp", "avif"):
        path = (folder / variants.variant_name(stored.file, 480, fmt)).resolve()
        image = Image.open(path)
        assert image.mode in {"RGBA", "RGBa"}, fmt
        assert image.getpixel((0, 0))[3] == 0, fmt


def test_the_task_page_offers_every_format_with_the_photos_size(web: Web, world: World) -> None:
    photo = reported_photo(web, world, phone_jpeg(2400, 1800))
    page = web.get(f"/b/{world.building_id}/tasks/{photo['task']}", headers=en()).text
    [picture] = re.findall(r"<picture>.*?</picture>", page, re.S)
    url = f"/b/{world.building_id}/tasks/photos/{photo['id']}"
    assert f'<source type="image/avif" srcset="{url}?size=320&amp;format=avif 320w, ' in picture
    assert f"{url}?size=960&amp;format=webp 960w" in picture
    assert f'<img src="{url}?size=480" srcset="{url}?size=320 320w' in picture
    assert 'width="1600" height="1200"' in picture
    assert 'loading="lazy"' in picture
    assert 'alt="Photo 1 of Entrance door does not close"' in picture


def test_the_event_cover_is_asked_for_first_and_keeps_its_place(web: Web, world: World) -> None:
    from tests.events.support import make_event
    from tests.media.images import phone_jpeg as cover_photo

    cover = images.store_image(cover_photo(1600, 900), "cover.jpg")
    event_id = web.run(
        make_event, world.leader.id, world.community_id, world.building_id, cover=cover.file
    )
    web.sign_in(world.resident.login)
    page = web.get(f"/b/{world.building_id}/events/{event_id}", headers=en()).text
    [picture] = re.findall(r"<picture>.*?</picture>", page, re.S)
    assert 'width="1600" height="900"' in picture
    assert 'fetchpriority="high"' in picture
    assert 'loading="lazy"' not in picture
    version = re.search(r"cover\?v=([0-9a-f]{10})&amp;size=320", picture)
    assert version, "a new cover gets new URLs"
