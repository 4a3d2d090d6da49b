"""What every request passes: who is asking and in which language, and the headers that keep
pages safe."""

from __future__ import annotations

from datetime import date

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from hub.community.viewer import ANONYMOUS, load_viewer
from hub.web.i18n import choose_language, current_language

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
                session[SESSION_SEEN_ON] = date.today().isoformat()
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


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar's before-send hook, so every response gets the headers, error pages included;
    cookies are marked Secure when the request came over https."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if scope.get("scheme") == "https":
        cookies = headers.getall("set-cookie", [])
        if cookies:
            del headers["set-cookie"]
            for cookie in cookies:
                secure = "secure" in cookie.lower()
                headers.add("set-cookie", cookie if secure else f"{cookie}; Secure")
