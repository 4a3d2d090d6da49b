"""Pictures made in the tests with Pillow: a phone photo with its location, a transparent PNG."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import ExifTags, Image

from hub.media.images import CleanImage, StoredImage, clean_image, store_clean

CAMERA = "HubTestCam"


@lru_cache(maxsize=32)
def phone_jpeg(width: int = 2400, height: int = 1800, *, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: camera make, orientation and GPS location in its EXIF."""
    image = Image.new("RGB", (width, height), (200, 60, 40))
    for x in range(0, width, 50):  # some detail, so the JPEG is not trivially small
        image.paste((30, 90, 200), (x, 0, x + 10, height // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 23.45)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, comment=b"taken at home")
    return out.getvalue()


def transparent_png(width: int = 800, height: int = 600) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((15, 92, 76, 255), (100, 100, 400, 300))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def small_jpeg(colour: tuple[int, int, int] = (120, 120, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def one_bit_png(width: int, height: int) -> bytes:
    """A black one-bit PNG: deflate packs millions of such pixels into a few KB."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def grey_jpeg(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A large greyscale JPEG made cheaply (one byte a pixel while it is made)."""
    image = Image.new("L", (width, height), 128)
    image.paste(40, (0, 0, width // 3, height // 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, progressive=progressive)
    return out.getvalue()


def photo_like_jpeg(width: int = 2400, height: int = 1800) -> bytes:
    """Smooth shapes, gradients and grain, as in a real photo (where stripes would favour
    WebP's lossless tricks): the kind of picture the formats are compared on."""
    from PIL import ImageFilter

    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width // 8, height // 8), 40).resize((width, height)).convert("RGB")
    shapes = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    image = Image.blend(Image.blend(base, grain, 0.5), shapes, 0.4)
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(out, "JPEG", quality=90)
    return out.getvalue()


@lru_cache(maxsize=8)
def _cleaned(data: bytes) -> CleanImage:
    return clean_image(data)


def store_again(data: bytes) -> StoredImage:
    """What `store_image(data)` stores, under new names, for test data that stores the same
    picture again and again (the route matrix's photos): cleaned once per process."""
    return store_clean(_cleaned(data))
