"""What every request passes: who is asking and in which language, and the headers that keep
pages safe."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from hub import clock
from hub.community.viewer import ANONYMOUS, load_viewer
from hub.i18n import choose_language, current_language
from hub.web.forms import MAX_FIELDS, PARSE_IN_THREAD_BYTES

SESSION_USER = "user_id"
SESSION_BUILDING = "building_id"
SESSION_LANGUAGE = "language"
SESSION_LARGE_TEXT = "large_text"
SESSION_SEEN_ON = "seen_on"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=()",
}
# Sent only over https: a browser that saw it refuses plain http to Hub for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
# A signed-in person's pages are never kept by a cache, the phone's own included.
PRIVATE_PAGE = "private, no-store"


class ViewerMiddleware(ASGIMiddleware):
    """Loads the viewer from the session and sets the language for this request."""

    scopes = (ScopeType.HTTP,)

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        return scope["path"].startswith("/static/") or scope["path"] == "/healthz"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session") or {}
        viewer = ANONYMOUS
        user_id = session.get(SESSION_USER)
        if isinstance(user_id, int):
            viewer = await load_viewer(user_id, session.get(SESSION_BUILDING)) or ANONYMOUS
            if viewer is ANONYMOUS:
                session.pop(SESSION_USER, None)
            else:
                # Sessions are written only when they change: marking the day of use once a day
                # keeps an active user's session alive without a write per request.
                session[SESSION_SEEN_ON] = clock.server_today().isoformat()
        scope.setdefault("state", {})["viewer"] = viewer
        headers = dict(scope["headers"])
        language = choose_language(
            viewer.language,
            session.get(SESSION_LANGUAGE),
            headers.get(b"accept-language", b"").decode("latin-1"),
        )
        scope["state"]["language"] = language
        current_language.set(language)
        await next_app(scope, receive, send)


def _parse_urlencoded(body: bytes) -> dict[str, str | list[str]]:
    """As Litestar parses a urlencoded form (a list only for a name sent more than once)."""
    fields: defaultdict[str, list[str]] = defaultdict(list)
    for name, value in parse_qsl(body.decode("latin-1"), separator="&", encoding="utf-8"):
        fields[name].append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items()}


class FormLimitsMiddleware(ASGIMiddleware):
    """Runs before the CSRF check, which reads the form of any POST without the token header: a
    urlencoded form of more than MAX_FIELDS fields is refused (413) before it is parsed, and a
    large one is parsed in a thread. The body size is limited per route (FORM_BODY_LIMIT unless
    the route takes photos); multipart forms are held to MAX_FIELDS parts by Litestar."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        if request.method in {"POST", "PUT", "PATCH"} and (
            request.content_type[0] == RequestEncodingType.URL_ENCODED
        ):
            body = await request.body()  # kept for whoever reads it next
            if body.count(b"&") >= MAX_FIELDS:
                raise HTTPException(status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE)
            if len(body) > PARSE_IN_THREAD_BYTES:
                state = ScopeState.from_scope(scope)
                state.form = await anyio.to_thread.run_sync(_parse_urlencoded, body)
        await next_app(scope, receive, send)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar's before-send hook, so every response gets the headers, error pages included;
    a signed-in person's answers are not cached unless they say otherwise; over https, HSTS and
    cookies marked Secure."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    viewer = scope.get("state", {}).get("viewer", ANONYMOUS)
    if viewer.signed_in and "cache-control" not in headers:
        headers["Cache-Control"] = PRIVATE_PAGE
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        cookies = headers.getall("set-cookie", [])
        if cookies:
            del headers["set-cookie"]
            for cookie in cookies:
                secure = "secure" in cookie.lower()
                headers.add("set-cookie", cookie if secure else f"{cookie}; Secure")
