"""Serving a stored photo to someone an area's route has already let in."""

from __future__ import annotations

from litestar.exceptions import NotFoundException
from litestar.response import File

from hub.media.images import media_type, stored_path, thumb_of

PHOTO_CACHE = "private, max-age=604800, immutable"


def photo_response(name: str | None, *, thumb: bool = False) -> File:
    """The photo (or its thumbnail) inline, cached privately; 404 when there is none."""
    if name and thumb:
        name = thumb_of(name)
    path = stored_path(name) if name else None
    if path is None or name is None:
        raise NotFoundException
    return File(
        path=path,
        media_type=media_type(name),
        content_disposition_type="inline",
        filename=name,
        headers={"Cache-Control": PHOTO_CACHE},
    )
