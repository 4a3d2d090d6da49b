"""The address a form's answer leaves in the browser, so that reloading or sharing it shows the
same page again.

A form posted through htmx (boosted) that is answered with a page, not a redirect, would leave
the form's own address in the address bar: reloaded, a POST-only address answers 405. A handler
names the page's own address (`page(..., url=...)`, the HX-Push-Url header); this hook makes
that a replacement of the current entry when it is the address already shown, and keeps the
address where it is when a handler named none.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.types import Message, Scope

PUSH_URL = "HX-Push-Url"
REPLACE_URL = "HX-Replace-Url"
ADDRESS_HEADERS = (PUSH_URL, REPLACE_URL, "HX-Location", "HX-Redirect")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def keep_address_reloadable(message: Message, scope: Scope) -> None:
    """Litestar's before-send hook, for htmx's answers to forms that are not redirects."""
    if message["type"] != "http.response.start" or scope.get("method") in SAFE_METHODS:
        return
    asked = Headers.from_scope(scope)
    if asked.get("hx-request") != "true" or 300 <= message["status"] < 400:
        return
    headers = MutableScopeHeaders.from_message(message)
    pushed = headers.get(PUSH_URL)
    if pushed is None:
        if not any(name in headers for name in ADDRESS_HEADERS):
            headers[PUSH_URL] = "false"
        return
    current = asked.get("hx-current-url")
    if current and _local(current) == pushed:
        del headers[PUSH_URL]
        headers[REPLACE_URL] = pushed
