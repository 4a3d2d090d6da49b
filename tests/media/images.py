"""Pictures made in the tests with Pillow: a phone photo with its location, a transparent PNG."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

CAMERA = "HubTestCam"


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
