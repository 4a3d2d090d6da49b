"""Photos: checked by what they contain (never by their name), cleaned and stored.

Every photo is decoded by Pillow, turned the way its camera meant (EXIF orientation), converted to
sRGB, resized to at most FULL_SIDE pixels on its long side with a THUMB_SIDE thumbnail, and
re-encoded from bare pixels, so nothing of the original file survives: no EXIF (location
included), no ICC profile, no comments, no trailing data. Photos become JPEG; a picture with real
transparency stays PNG so its transparent parts do not turn black.

Decoding is what costs memory, so it is bounded three ways: a file is refused before decoding when
it would decode to more than DECODE_PIXELS (a JPEG is first reduced by its decoder, Pillow's
draft mode, to the smallest scale that still covers what is kept, so a 50-megapixel phone photo
decodes at 2040x1536); the picture is shrunk (`reduce`, then Lanczos) before anything else makes a
copy of it; and each process cleans at most IMAGE_WORKERS photos at a time, in worker threads.

Files are stored under the data dir with random names that are never shown to anyone: areas keep
the names in their tables and serve the files by their own ids to the people allowed to see them.
"""

from __future__ import annotations

import asyncio
import errno
import io
import logging
import os
import re
import secrets
import warnings
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread
from litestar.datastructures import UploadFile
from PIL import Image, ImageCms, ImageOps

from hub.errors import Refused
from hub.i18n import _
from hub.settings import PRIVATE_DIR, PRIVATE_FILE, get_settings

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # per photo, before processing
# The most pixels a file may declare: the largest phone cameras make 200 megapixels (JPEG, which
# decodes reduced). Anything else, and a progressive JPEG (its decoder keeps every coefficient at
# full size), must decode whole, so it may declare at most DECODE_PIXELS: a long phone screenshot
# (1080x14000) fits, a PNG of 8000x8000 one-bit pixels (7.8 KB, 256 MB once RGB) does not.
MAX_PIXELS = 210_000_000
DECODE_PIXELS = 16_000_000
IMAGE_WORKERS = 2  # photos decoded at once per process: one per core of a small server
FULL_SIDE = 1600
THUMB_SIDE = 320
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})
PHOTOS_DIR = "photos"
STORED_NAME = re.compile(r"^[0-9a-f]{32}(?:-thumb|-(?:320|480|960))?\.(?:jpg|png|webp|avif)$")
ORIGINAL_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png)$")
ANY_FILE = re.compile(
    r"^\.?([0-9a-f]{32})(?:-[0-9a-z]+)?\.(?:jpg|png|webp|avif)(?:(?:\.[0-9a-f]+)?\.tmp)?$"
)
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}
log = logging.getLogger(__name__)
T = TypeVar("T")

# Pillow refuses (DecompressionBombError) an image of more than twice this many pixels before
# decoding it; clean_image refuses anything above the limits itself, with a clear message.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True, slots=True)
class CleanImage:
    full: bytes
    thumb: bytes
    extension: str  # "jpg" or "png"
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class StoredImage:
    file: str
    thumb: str
    width: int
    height: int


def _shown_name(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= 60 else name[:57] + "..."


def not_an_image(name: str) -> str:
    return _(
        "“%(name)s” is not a photo we can read. Please choose a JPEG or PNG picture.",
        name=_shown_name(name),
    )


def too_big(name: str) -> str:
    return _(
        "“%(name)s” is larger than 10 MB. Please choose a smaller photo.", name=_shown_name(name)
    )


def broken(name: str) -> str:
    return _(
        "“%(name)s” is damaged or incomplete. Please take or choose it again.",
        name=_shown_name(name),
    )


def too_many_pixels(name: str) -> str:
    return _(
        "“%(name)s” has too many pixels to process. Please choose a smaller photo.",
        name=_shown_name(name),
    )


def no_room(name: str) -> str:
    return _(
        "“%(name)s” could not be kept: the server has no room left for photos. "
        "Please tell your building's leader.",
        name=_shown_name(name),
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as the photo's profile meant them, in sRGB; the image as it is when that fails."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in {"RGBA", "LA"}:
        low, _high = image.getchannel("A").getextrema()  # type: ignore[misc]
        return low < 255
    return False


def _bare(image: Image.Image) -> Image.Image:
    """The same pixels in a new image that carries nothing else."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, extension: str) -> bytes:
    out = io.BytesIO()
    if extension == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def fitted(width: int, height: int, side: int) -> tuple[int, int]:
    """The size of width x height shrunk (never enlarged) to fit a side x side box."""
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def open_for_keeping(data: bytes, name: str = "") -> Image.Image:
    """The photo opened (not yet decoded) and, for a JPEG, set to decode at the smallest scale
    that still covers FULL_SIDE; Refused when it is not a photo or would decode too large."""
    try:
        image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused(too_many_pixels(name), "photos") from error
    except Exception as error:  # Pillow raises many kinds for what it cannot identify
        raise Refused(not_an_image(name), "photos") from error
    if image.format not in ACCEPTED_FORMATS:
        raise Refused(not_an_image(name), "photos")
    width, height = image.size
    reducible = image.format in {"JPEG", "MPO"} and not image.info.get("progressive")
    if width < 1 or height < 1 or width * height > (MAX_PIXELS if reducible else DECODE_PIXELS):
        raise Refused(too_many_pixels(name), "photos")
    if reducible:  # at most MAX_PIXELS / 64 once drafted: below DECODE_PIXELS
        image.draft(image.mode, fitted(width, height, FULL_SIDE))
    return image


def _workable(image: Image.Image) -> Image.Image:
    """The decoded picture in a mode that resizes: L, LA, RGB, RGBA or CMYK."""
    if "transparency" in image.info or image.mode in {"PA", "RGBa"}:
        return image.convert("RGBA")
    if image.mode in {"L", "LA", "RGB", "RGBA", "CMYK"}:
        return image
    if image.mode == "La":
        return image.convert("LA")
    if image.mode in {"1", "I", "F"} or image.mode.startswith("I;"):
        return image.convert("L")
    return image.convert("RGB")


def clean_image(data: bytes, name: str = "") -> CleanImage:
    """The photo cleaned and resized, with its thumbnail; Refused (field "photos") otherwise."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(too_big(name), "photos")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = open_for_keeping(data, name)
        try:
            image.load()
            image = _workable(image)
            # Shrink first: every later step then works on at most FULL_SIDE x FULL_SIDE.
            image.thumbnail((FULL_SIDE, FULL_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
            image = ImageOps.exif_transpose(image) or image
            image = _to_srgb(image)
            if _has_transparency(image):
                image, extension = image.convert("RGBA"), "png"
            else:
                image = image.convert("L" if image.mode in {"L", "LA"} else "RGB")
                extension = "jpg"
            full = _bare(image)
            thumb = full.copy()
            thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
            return CleanImage(
                full=_encode(full, extension),
                thumb=_encode(_bare(thumb), extension),
                extension=extension,
                width=full.width,
                height=full.height,
            )
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise Refused(too_many_pixels(name), "photos") from error
        except Exception as error:  # truncated or corrupt data fails in many different ways
            raise Refused(broken(name), "photos") from error


# Bounded work ---------------------------------------------------------------------------------

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    """IMAGE_WORKERS threads for images in this process (one limiter per event loop)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(IMAGE_WORKERS)
    return limiter


async def image_work(fn: Callable[..., T], *args: object) -> T:
    """Run fn(*args) in a worker thread, at most IMAGE_WORKERS at a time in this process; the
    others wait their turn without holding a thread."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=_limiter())


# Storage --------------------------------------------------------------------------------------


class NotKept(Exception):
    """A file could not be written (the disk is full, the data dir cannot be written to)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.no_room = error.errno in {errno.ENOSPC, errno.EDQUOT}


def not_kept(name: str, error: NotKept) -> str:
    if error.no_room:
        return no_room(name)
    return _(
        "“%(name)s” could not be kept because of a problem on the server. Please try again later.",
        name=_shown_name(name),
    )


def photos_dir() -> Path:
    path = get_settings().uploads_dir / PHOTOS_DIR
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def temporary_name(path: Path) -> Path:
    """A name beside `path` for writing it, of its own: two requests that make the same file
    at once never write into one temporary file."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _private(name: str, flags: int) -> int:
    return os.open(name, flags, PRIVATE_FILE)


def write_file(path: Path, data: bytes) -> None:
    """Write the whole file or nothing: through a temporary file that goes on any error."""
    temporary = temporary_name(path)
    try:
        with open(temporary, "wb", opener=_private) as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise NotKept(error) from error


def _write_all(files: dict[str, bytes]) -> None:
    """Write every file, or none of them: those written go when a later one fails."""
    written: list[Path] = []
    try:
        folder = photos_dir()
        for name, data in files.items():
            write_file(folder / name, data)
            written.append(folder / name)
    except OSError as error:  # photos_dir() itself failed
        raise NotKept(error) from error
    except NotKept:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def store_clean(image: CleanImage, name: str = "") -> StoredImage:
    """Keep a cleaned photo under a new random name; Refused when it cannot be written."""
    token = secrets.token_hex(16)
    file, thumb = f"{token}.{image.extension}", f"{token}-thumb.{image.extension}"
    try:
        _write_all({file: image.full, thumb: image.thumb})
    except NotKept as error:
        log.error("photo %s not kept: %s", name or file, error)
        raise Refused(not_kept(name, error), "photos") from error
    return StoredImage(file=file, thumb=thumb, width=image.width, height=image.height)


def store_image(data: bytes, name: str = "") -> StoredImage:
    return store_clean(clean_image(data, name), name)


def _size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:  # reads the header only
        return image.size


def copy_stored(file: str) -> StoredImage | None:
    """A copy of a stored photo under new names, for a record of its own (a patrol photo
    carried over to a repair task); None when the file is not there or cannot be copied."""
    path = stored_path(file)
    thumb = stored_path(thumb_of(file)) if path else None
    if path is None or thumb is None:
        return None
    token = secrets.token_hex(16)
    extension = file.rsplit(".", 1)[-1]
    copy, thumb_copy = f"{token}.{extension}", f"{token}-thumb.{extension}"
    try:
        _write_all({copy: path.read_bytes(), thumb_copy: thumb.read_bytes()})
    except NotKept as error:
        log.error("photo %s not copied: %s", file, error)
        return None
    width, height = _size_of(path)
    return StoredImage(file=copy, thumb=thumb_copy, width=width, height=height)


def kept_image(file: str) -> StoredImage | None:
    """A photo stored by an earlier try of the same form (its name came back in a hidden field),
    None when there is no such photo. Its grace period starts again (see hub.media.orphans), so
    the form can be sent again later without the sweep taking the photo in between."""
    path = stored_path(file) if is_stored_name(file) else None
    if path is None:
        return None
    try:
        for each in files_of(file):
            os.utime(each, follow_symlinks=False)
        width, height = _size_of(path)
    except OSError:
        return None
    return StoredImage(file=file, thumb=thumb_of(file), width=width, height=height)


def discard_stored(image: StoredImage) -> None:
    """Remove a stored photo's files that no record came to name (a replay, a refusal), its
    variants included."""
    for path in files_of(image.file):
        path.unlink(missing_ok=True)


def token_of(file: str) -> str | None:
    """The random part shared by a photo's files (original, thumbnail, variants, and a
    temporary file being written); None for a name this module did not make."""
    found = ANY_FILE.match(file)
    return found.group(1) if found else None


def files_of(file: str) -> list[Path]:
    """Every file on disk of the stored photo `file`."""
    token = token_of(file)
    if token is None:
        return []
    return [path for path in photos_dir().glob(f"*{token}*") if token_of(path.name) == token]


def stored_path(file: str) -> Path | None:
    """Where a stored photo is, for a name this module made; None for anything else."""
    if not STORED_NAME.match(file):
        return None
    path = photos_dir() / file
    return path if path.is_file() else None


def media_type(file: str) -> str:
    return MEDIA_TYPES[file.rsplit(".", 1)[-1]]


def is_stored_name(file: str) -> bool:
    """A name of a photo's kept original (not of its thumbnail or a variant)."""
    return bool(ORIGINAL_NAME.match(file))


def thumb_of(file: str) -> str:
    stem, extension = file.rsplit(".", 1)
    return f"{stem}-thumb.{extension}"


# Uploads --------------------------------------------------------------------------------------


async def read_upload(upload: UploadFile) -> bytes:
    """The upload's bytes; Refused when it is over MAX_UPLOAD_BYTES (read no further than that)."""
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(too_big(upload.filename or ""), "photos")
    return data


async def store_uploads(uploads: Iterable[UploadFile]) -> tuple[list[StoredImage], list[str]]:
    """Store every upload that is a good photo; the refusal message of each one that is not.

    Each photo is cleaned in a worker thread, IMAGE_WORKERS at a time in this process, so large
    photos neither hold up other requests nor fill the memory when many arrive at once.
    """
    stored: list[StoredImage] = []
    refusals: list[str] = []
    for upload in uploads:
        try:
            data = await read_upload(upload)
            stored.append(await image_work(store_image, data, upload.filename or ""))
        except Refused as refused:
            refusals.append(refused.message)
    return stored, refusals
