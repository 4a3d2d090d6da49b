"""Serving a stored photo to someone an area's route has already let in."""

from __future__ import annotations

from collections.abc import Mapping

from litestar.exceptions import NotFoundException
from litestar.response import File

from hub.media.images import media_type, stored_path, thumb_of
from hub.media.variants import MODERN, WIDTHS, variant_path

# Private: member-only photos stay out of shared caches. A photo's URL never shows another
# photo (an event's new cover comes with a new ?v=), so the browser keeps it a week unasked.
PHOTO_CACHE = "private, max-age=604800, immutable"


def asked_variant(query: Mapping[str, str]) -> tuple[int | str | None, str | None]:
    """The size (a width of WIDTHS, "thumb", or None for the original) and the format ("avif",
    "webp", or None for the original's) asked for in ?size= and ?format=; anything else is
    ignored, so an unknown size gets the original."""
    size_text, fmt = query.get("size", ""), query.get("format")
    size: int | str | None = None
    if size_text == "thumb":
        size = "thumb"
    elif size_text in {str(width) for width in WIDTHS}:
        size = int(size_text)
    return size, fmt if fmt in MODERN and isinstance(size, int) else None


async def photo_response(
    name: str | None,
    *,
    thumb: bool = False,
    query: Mapping[str, str] | None = None,
) -> File:
    """The photo inline: its thumbnail, the variant that ?size= and ?format= ask for (made now
    if it was not yet), or the original; cached privately; 404 when there is none."""
    size, fmt = asked_variant(query or {})
    if thumb:
        size = "thumb"
    path = stored_path(name) if name else None
    if path is None or name is None:
        raise NotFoundException
    if size == "thumb":
        path = stored_path(thumb_of(name)) or path
    elif isinstance(size, int):
        path = await variant_path(name, size, fmt) or path
    return File(
        path=path,
        media_type=media_type(path.name),
        content_disposition_type="inline",
        filename=path.name,
        headers={"Cache-Control": PHOTO_CACHE},
    )
