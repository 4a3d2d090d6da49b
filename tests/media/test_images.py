"""Photos are judged by their content, cleaned of every piece of metadata, resized and stored."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from hub.errors import Refused
from hub.i18n import current_language
from hub.media import images
from hub.settings import get_settings
from tests.media.images import CAMERA, phone_jpeg, small_jpeg, transparent_png


@pytest.fixture(autouse=True)
def english() -> None:
    current_language.set("en")


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert not image.getexif(), dict(image.getexif())
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    for key in ("exif", "icc_profile", "comment", "xmp", "photoshop"):
        assert key not in image.info, key
    assert b"Exif" not in data
    assert CAMERA.encode() not in data
    assert b"taken at home" not in data


def test_a_phone_photo_loses_its_location_and_camera_and_is_resized() -> None:
    original = phone_jpeg(2400, 1800)
    source = opened(original)
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo has a location"

    clean = images.clean_image(original, "IMG_0001.jpg")

    assert clean.extension == "jpg"
    assert (clean.width, clean.height) == (1600, 1200)
    full, thumb = opened(clean.full), opened(clean.thumb)
    assert full.format == "JPEG"
    assert full.size == (1600, 1200)
    assert thumb.size == (320, 240)
    assert_no_metadata(clean.full)
    assert_no_metadata(clean.thumb)


def test_the_stored_files_carry_no_location(tmp_path_factory: pytest.TempPathFactory) -> None:
    stored = images.store_image(phone_jpeg(), "IMG_0002.jpg")
    uploads = get_settings().uploads_dir
    for name in (stored.file, stored.thumb):
        path = images.stored_path(name)
        assert path is not None
        assert uploads in path.parents
        assert_no_metadata(path.read_bytes())
    assert "IMG_0002" not in stored.file, "the stored name is random, not the upload's"
    assert images.thumb_of(stored.file) == stored.thumb


def test_the_camera_orientation_is_applied_before_the_tag_goes() -> None:
    # Orientation 6: the camera held upright wrote a landscape sensor image, "rotate 90° to show".
    clean = images.clean_image(phone_jpeg(1200, 800, orientation=6), "portrait.jpg")
    assert (clean.width, clean.height) == (800, 1200)
    assert_no_metadata(clean.full)


def test_a_small_photo_is_not_enlarged() -> None:
    clean = images.clean_image(small_jpeg(), "small.jpg")
    assert (clean.width, clean.height) == (640, 480)


def test_a_png_with_transparency_stays_a_transparent_png() -> None:
    clean = images.clean_image(transparent_png(), "plan.png")
    assert clean.extension == "png"
    full = opened(clean.full)
    assert full.format == "PNG"
    assert full.mode == "RGBA"
    assert full.getpixel((0, 0))[3] == 0, "the transparent corner stays transparent"
    assert full.getpixel((200, 200))[3] == 255
    assert opened(clean.thumb).mode == "RGBA"


def test_an_opaque_png_becomes_a_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGB", (500, 400), (10, 200, 30)).save(out, "PNG")
    clean = images.clean_image(out.getvalue(), "screenshot.png")
    assert clean.extension == "jpg"
    assert opened(clean.full).format == "JPEG"


def test_a_text_file_named_jpg_is_refused_by_its_content() -> None:
    with pytest.raises(Refused) as refused:
        images.clean_image(b"Dear neighbours, the door is broken.\n" * 20, "door.jpg")
    assert refused.value.field == "photos"
    assert refused.value.message == (
        "“door.jpg” is not a photo we can read. Please choose a JPEG or PNG picture."
    )


def test_a_truncated_photo_is_refused_as_broken() -> None:
    data = phone_jpeg()
    with pytest.raises(Refused) as refused:
        images.clean_image(data[: len(data) // 2], "half.jpg")
    assert "damaged or incomplete" in refused.value.message
    assert "half.jpg" in refused.value.message


def test_an_oversize_file_is_refused_before_it_is_opened() -> None:
    data = phone_jpeg() + b"\0" * images.MAX_UPLOAD_BYTES
    with pytest.raises(Refused) as refused:
        images.clean_image(data, "huge.jpg")
    assert (
        refused.value.message == "“huge.jpg” is larger than 10 MB. Please choose a smaller photo."
    )


def test_a_decompression_bomb_is_refused_without_decoding_it() -> None:
    # A small PNG file that claims 100,000 x 100,000 pixels: 10 gigapixels once decoded.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    data = bytearray(out.getvalue())
    # Rewrite the width and height in the IHDR chunk (and its CRC) to 100,000 each.
    import struct
    import zlib

    ihdr = bytearray(data[12:29])
    ihdr[4:12] = struct.pack(">II", 100_000, 100_000)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    assert len(data) < images.MAX_UPLOAD_BYTES
    with pytest.raises(Refused) as refused:
        images.clean_image(bytes(data), "bomb.png")
    assert "too many pixels" in refused.value.message


def test_an_image_just_over_the_pixel_limit_is_refused() -> None:
    out = io.BytesIO()
    Image.new("L", (8001, 8001)).save(out, "PNG")
    with pytest.raises(Refused) as refused:
        images.clean_image(out.getvalue(), "big.png")
    assert "too many pixels" in refused.value.message


def test_formats_pillow_reads_but_photos_are_not_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "BMP")
    with pytest.raises(Refused) as refused:
        images.clean_image(out.getvalue(), "old.bmp")
    assert "not a photo" in refused.value.message


def test_the_messages_are_in_chinese_for_a_chinese_page() -> None:
    current_language.set("zh")
    with pytest.raises(Refused) as refused:
        images.clean_image(b"not an image", "door.jpg")
    assert "door.jpg" in refused.value.message
    assert "JPEG" in refused.value.message
    assert "is not a photo" not in refused.value.message


@pytest.mark.parametrize(
    "name",
    ["../secret_key", "abc.jpg", "0" * 32 + ".gif", "0" * 32 + ".jpg/../x", "", "/etc/passwd"],
)
def test_only_names_this_module_made_lead_to_a_file(name: str) -> None:
    assert images.stored_path(name) is None
