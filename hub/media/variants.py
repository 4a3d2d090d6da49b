"""The sizes and formats a page asks for: each stored photo in widths of 320, 480 and 960 pixels,
as JPEG (PNG when it has transparency), WebP and AVIF, next to the original that leaders
download.

A variant is made the first time it is asked for, from the stored original, and kept beside it:
photos stored before variants existed get theirs the same way, so nothing has to process every
old photo at once (on a small server that would hold up the start for minutes), and a size that
no page shows is never made. WebP and AVIF are kept only where they are smaller than the format
before them; where one is not, its name is a link to the smaller file, so the page can ask for
every format without knowing which won.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from hub.media.images import (
    NotKept,
    image_work,
    is_stored_name,
    photos_dir,
    stored_path,
    temporary_name,
    write_file,
)

WIDTHS = (320, 480, 960)
MODERN = ("avif", "webp")  # the order browsers try them in, through <picture>
JPEG_QUALITY = 80
WEBP_QUALITY = 78
AVIF_QUALITY = 55
AVIF_SPEED = 8  # of 0 (slowest, smallest) to 10: about 0.2 s for a 960 px photo here
log = logging.getLogger(__name__)


def variant_name(file: str, width: int, fmt: str | None) -> str:
    """The name of `file` at `width` in `fmt` ("avif", "webp"; None: the original's format)."""
    token, extension = file.rsplit(".", 1)
    return f"{token}-{width}.{fmt or extension}"


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, "PNG", optimize=True)
    elif fmt == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=5)
    else:
        image.save(out, "AVIF", quality=AVIF_QUALITY, speed=AVIF_SPEED)
    return out.getvalue()


def _link(folder: Path, name: str, target: str) -> None:
    """`name` becomes a link to `target` (a file beside it) in one step."""
    temporary = temporary_name(folder / name)
    try:
        os.symlink(target, temporary)
        os.replace(temporary, folder / name)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise NotKept(error) from error


def make_variants(file: str, width: int) -> None:
    """Make and keep `file` at `width` in every format (in a worker thread: see image_work)."""
    path = stored_path(file)
    if path is None:
        return
    fallback = file.rsplit(".", 1)[-1]
    with Image.open(path) as original:
        kept_width = min(width, original.width)
        size = (kept_width, max(1, round(original.height * kept_width / original.width)))
        original.draft(original.mode, size)
        image = original.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    folder = photos_dir()
    smallest = (len(encoded := _encode(image, fallback)), variant_name(file, width, None))
    write_file(folder / smallest[1], encoded)
    for fmt in reversed(MODERN):  # WebP against the JPEG, then AVIF against the smaller
        name = variant_name(file, width, fmt)
        encoded = _encode(image, fmt)
        if len(encoded) < smallest[0]:
            write_file(folder / name, encoded)
            smallest = (len(encoded), name)
        else:
            _link(folder, name, smallest[1])


async def variant_path(file: str, width: int, fmt: str | None) -> Path | None:
    """The variant's file, made now if it was not yet; None when it cannot be made (the caller
    then serves the original)."""
    name = variant_name(file, width, fmt)
    path = stored_path(name)
    if path is not None:
        return path.resolve()
    try:
        await image_work(make_variants, file, width)
    except (NotKept, OSError, UnidentifiedImageError, ValueError) as error:
        log.warning("variant %s not made: %s", name, error)
        return None
    path = stored_path(name)
    return path.resolve() if path is not None else None


# What the pages show ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _dimensions(file: str) -> tuple[int, int]:
    path = stored_path(file) if is_stored_name(file) else None
    if path is None:
        return 0, 0
    try:
        with Image.open(path) as image:  # the header only
            return image.size
    except (OSError, UnidentifiedImageError):
        return 0, 0


@dataclass(frozen=True, slots=True)
class Picture:
    """A stored photo as a page shows it: `url` is the area's route that serves it to those
    allowed, which takes ?size= (a width of WIDTHS, or none for the original) and ?format=."""

    url: str
    file: str
    width: int
    height: int

    @property
    def version(self) -> str:
        """Changes when the photo behind the URL does (an event's new cover), so its URLs can be
        kept a week; "" when the URL itself names one photo for ever (a task's photo id)."""
        return hashlib.sha256(self.file.encode()).hexdigest()[:10] if self.file else ""

    def widths(self) -> list[tuple[int, int]]:
        """(size asked for, width it comes in), smallest first, none wider than the original."""
        seen: dict[int, int] = {}
        for nominal in WIDTHS:
            actual = min(nominal, self.width) if self.width else nominal
            seen.setdefault(actual, nominal)
        return [(nominal, actual) for actual, nominal in seen.items()]

    def src(self, size: int | None = None, fmt: str | None = None) -> str:
        query = [f"v={self.version}"] if self.version else []
        if size is not None:
            query.append(f"size={size}")
        if fmt is not None:
            query.append(f"format={fmt}")
        return f"{self.url}?{'&'.join(query)}" if query else self.url

    def srcset(self, fmt: str | None = None) -> str:
        return ", ".join(f"{self.src(nominal, fmt)} {actual}w" for nominal, actual in self.widths())


def picture(url: str, file: str = "", width: int = 0, height: int = 0) -> Picture:
    """The photo served at `url`. Its size comes from the row, else from the stored `file`
    (a cover, a notice's photo); a photo known only by its URL has no size (pages show such
    thumbnails in boxes of a fixed size)."""
    if file and not (width and height):
        width, height = _dimensions(file)
    return Picture(url=url, file=file, width=width, height=height)
