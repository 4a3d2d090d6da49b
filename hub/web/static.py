"""Static files under versioned URLs, kept by browsers for a year, and responses compressed.

Pages name a static file by `static_url("hub.css")`: `/static/hub.css?v=<digest of its
contents>`. A request whose `v` is the file's current digest gets a year of `immutable` caching
(a change to the file makes a new URL); any other request for a static file (no `v`, an old one)
is revalidated each time, so nobody keeps a stale copy under a URL that pages still use.

Text responses (pages, fragments, scripts, stylesheets, SVG, CSV, calendars, JSON) are compressed
with brotli where the browser accepts it, else gzip; photos and icons are already compressed and
pass as they are.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/javascript",
    "text/csv",
    "text/calendar",
    "text/plain",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)


@lru_cache(maxsize=256)
def static_version(name: str) -> str | None:
    """The digest of static/<name>'s contents; None when there is no such file. Kept for the
    life of the process, as the files change only with a new release, which restarts Hub."""
    path = (STATIC_DIR / name).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=256)
def static_url(name: str) -> str:
    """The versioned URL of static/<name>."""
    version = static_version(name)
    if version is None:
        raise LookupError(f"no static file {name}")
    return f"{STATIC_PREFIX}{name}?v={version}"


async def cache_static_files(message: Message, scope: Scope) -> None:
    """A year of caching for a static file asked for under its current version, revalidation
    for any other request of a static file."""
    if message["type"] != "http.response.start" or not scope["path"].startswith(STATIC_PREFIX):
        return
    if message["status"] != 200:
        return
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
    current = static_version(scope["path"].removeprefix(STATIC_PREFIX))
    headers = MutableScopeHeaders.from_message(message)
    headers["Cache-Control"] = IMMUTABLE if asked and asked == current else REVALIDATE


class TextCompression(CompressionMiddleware):
    """Litestar's compression, for text only: the content type of the response decides."""

    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: CompressionEncoding | str,
        scope: Scope,
    ) -> Send:
        compressing = super().create_compression_send_wrapper(
            send,
            compression_encoding,  # type: ignore[arg-type]
            scope,
        )
        chosen: list[Send] = []

        async def send_wrapper(message: Message) -> None:
            if not chosen:
                content_type = ""
                if message["type"] == "http.response.start":
                    content_type = MutableScopeHeaders.from_message(message).get("content-type", "")
                compressible = content_type.split(";")[0].strip().lower() in COMPRESSIBLE
                chosen.append(compressing if compressible else send)
            await chosen[0](message)

        return send_wrapper


def compression_config() -> CompressionConfig:
    return CompressionConfig(
        backend="brotli",
        brotli_gzip_fallback=True,
        brotli_quality=5,  # fast enough for every page; about gzip's -9 in size
        gzip_compress_level=6,
        minimum_size=500,
        middleware_class=TextCompression,
    )
