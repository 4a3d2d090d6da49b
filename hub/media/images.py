"""Photos: checked by what they contain (never by their name), cleaned and stored.

Every photo is decoded by Pillow, turned the way its camera meant (EXIF orientation), converted to
sRGB, resized to at most FULL_SIDE pixels on its long side with a THUMB_SIDE thumbnail, and
re-encoded from bare pixels, so nothing of the original file survives: no EXIF (location
included), no ICC profile, no comments, no trailing data. Photos become JPEG; a picture with real
transparency stays PNG so its transparent parts do not turn black.

Files are stored under the data dir with random names that are never shown to anyone: areas keep
the names in their tables and serve the files by their own ids to the people allowed to see them.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from litestar.datastructures import UploadFile
from PIL import Image, ImageCms, ImageOps

from hub.errors import Refused
from hub.settings import get_settings
from hub.web.i18n import _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # per photo, before processing
MAX_PIXELS = 64_000_000  # the largest phone cameras make 50 megapixels
FULL_SIDE = 1600
THUMB_SIDE = 320
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})
PHOTOS_DIR = "photos"
STORED_NAME = re.compile(r"^[0-9a-f]{32}(?:-thumb)?\.(?:jpg|png)$")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png"}

# Pillow refuses (DecompressionBombError) an image of more than twice this many pixels before
# decoding it; clean_image refuses anything above MAX_PIXELS itself, with a clear message.
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
    if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        low, _high = alpha.getextrema()  # type: ignore[misc]
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


def clean_image(data: bytes, name: str = "") -> CleanImage:
    """The photo cleaned and resized, with its thumbnail; Refused (field "photos") otherwise."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(too_big(name), "photos")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise Refused(too_many_pixels(name), "photos") from error
        except Exception as error:  # Pillow raises many kinds for what it cannot identify
            raise Refused(not_an_image(name), "photos") from error
        if image.format not in ACCEPTED_FORMATS:
            raise Refused(not_an_image(name), "photos")
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            raise Refused(too_many_pixels(name), "photos")
        try:
            if image.format in {"JPEG", "MPO"}:
                image.draft(None, (FULL_SIDE, FULL_SIDE))  # decode at a smaller scale: faster
            image.load()
            image = ImageOps.exif_transpose(image) or image
            image = _to_srgb(image)
            transparent = _has_transparency(image)
            if transparent:
                image, extension = image.convert("RGBA"), "png"
            else:
                image = image.convert("L" if image.mode in {"L", "LA"} else "RGB")
                extension = "jpg"
            image.thumbnail((FULL_SIDE, FULL_SIDE), Image.Resampling.LANCZOS)
            full = _bare(image)
            thumb = full.copy()
            thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
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


# Storage --------------------------------------------------------------------------------------


def photos_dir() -> Path:
    path = get_settings().uploads_dir / PHOTOS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def store_clean(image: CleanImage) -> StoredImage:
    token = secrets.token_hex(16)
    folder = photos_dir()
    file, thumb = f"{token}.{image.extension}", f"{token}-thumb.{image.extension}"
    _write(folder / file, image.full)
    _write(folder / thumb, image.thumb)
    return StoredImage(file=file, thumb=thumb, width=image.width, height=image.height)


def store_image(data: bytes, name: str = "") -> StoredImage:
    return store_clean(clean_image(data, name))


def copy_stored(file: str) -> StoredImage | None:
    """A copy of a stored photo under new names, for a record of its own (a patrol photo
    carried over to a repair task); None when the file is not there."""
    path = stored_path(file)
    thumb = stored_path(thumb_of(file)) if path else None
    if path is None or thumb is None:
        return None
    token = secrets.token_hex(16)
    extension = file.rsplit(".", 1)[-1]
    copy, thumb_copy = f"{token}.{extension}", f"{token}-thumb.{extension}"
    _write(path.parent / copy, path.read_bytes())
    _write(path.parent / thumb_copy, thumb.read_bytes())
    with Image.open(path) as image:
        width, height = image.size
    return StoredImage(file=copy, thumb=thumb_copy, width=width, height=height)


def discard_stored(image: StoredImage) -> None:
    """Remove a stored photo's files that no record came to name (a replay, a refusal)."""
    for name in (image.file, image.thumb):
        path = stored_path(name)
        if path is not None:
            path.unlink(missing_ok=True)


def stored_path(file: str) -> Path | None:
    """Where a stored photo is, for a name this module made; None for anything else."""
    if not STORED_NAME.match(file):
        return None
    path = photos_dir() / file
    return path if path.is_file() else None


def media_type(file: str) -> str:
    return MEDIA_TYPES[file.rsplit(".", 1)[-1]]


def is_stored_name(file: str) -> bool:
    return bool(STORED_NAME.match(file)) and not file.split(".")[0].endswith("-thumb")


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

    The work happens in a worker thread so a large photo does not hold up other requests.
    """
    stored: list[StoredImage] = []
    refusals: list[str] = []
    for upload in uploads:
        try:
            data = await read_upload(upload)
            stored.append(await anyio.to_thread.run_sync(store_image, data, upload.filename or ""))
        except Refused as refused:
            refusals.append(refused.message)
    return stored, refusals
