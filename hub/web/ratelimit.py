"""Sign-in, join and first-start attempts: at most 10 a minute per client address.

Counted in the database (hub/accounts/attempts.py), so the limit holds across every process
and host; Litestar's own rate limiter reads its counts from a store and writes them back without
a lock, which two processes at once would undercount. The client address is the connection's,
or the one a proxy named in HUB_TRUSTED_PROXIES forwarded (uvicorn reads X-Forwarded-For from
those only).
"""

from __future__ import annotations

import re
from datetime import timedelta

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from hub.accounts.attempts import attempt_allowed

LIMITED_PATHS = re.compile(r"^/(login|join/[^/]+|setup/[^/]+)$")
ATTEMPTS_PER_MINUTE = 10
WINDOW = timedelta(minutes=1)


def is_limited(scope: Scope) -> bool:
    return scope["method"] == "POST" and bool(LIMITED_PATHS.match(scope["path"]))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class AttemptLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if is_limited(scope) and not await attempt_allowed(
            client_address(scope), limit=ATTEMPTS_PER_MINUTE, window=WINDOW
        ):
            raise TooManyRequestsException
        await next_app(scope, receive, send)
