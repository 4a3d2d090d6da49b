"""The offline queue's contract with the server (static/offline-queue.js).

Which forms the phone may keep while offline, read from the routes: a POST handler marked
`opt={"queueable": KIND}` is one the queue keeps and replays later. The service worker gets the
list in its script (hub/web/pwa.py), the pages in the base layout, so both have it offline and
from the worker's first install, with no request of their own. The pages the worker keeps a
copy of are marked the same way (`opt={"kept_offline": True}`).

What a refused replay answers (the X-Hub-Replay header is present): a code the queue acts on and
a message in the person's language, in JSON, the code also in the X-Hub-Refusal header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from litestar import Litestar, Request, Response
from litestar.routes import HTTPRoute

from hub.errors import GONE, INVALID

# The kinds the queue shows and treats apart (a report is always sent as new).
QUEUE_KINDS = frozenset({"check-in", "note", "photo", "report"})
# What a path parameter may be, as the queue matches it: ids are digits only.
PARAMETER_PATTERNS: dict[type, str] = {int: r"\d+", str: r"[^/]+"}


def path_pattern(route: HTTPRoute) -> str:
    """The route's path as an exact regular expression, in the syntax of JavaScript's RegExp."""
    parts = []
    for component in route.path_components:
        if isinstance(component, str):
            parts.append(re.escape(component))
        elif component.type in PARAMETER_PATTERNS:
            parts.append(PARAMETER_PATTERNS[component.type])
        else:
            raise ValueError(f"{route.path}: no queue pattern for {component.type.__name__}")
    return "^/" + "/".join(parts) + "$"


def _marked(app: Litestar, key: str) -> Iterator[tuple[HTTPRoute, Any, Any]]:
    """(route, handler, the marker's value) of every handler marked with this key."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if key in handler.opt:
                    yield route, handler, handler.opt[key]


@cache
def queueable_routes(app: Litestar) -> tuple[tuple[str, str], ...]:
    """Every POST route the offline queue may keep, as (pattern, kind), from the handlers'
    marker."""
    found = []
    for route, handler, kind in _marked(app, "queueable"):
        if kind not in QUEUE_KINDS or handler.http_methods != {"POST"}:
            raise ValueError(f"{route.path}: a queueable route is a POST of {QUEUE_KINDS}")
        found.append((path_pattern(route), kind))
    return tuple(sorted(found))


@cache
def kept_pages(app: Litestar) -> tuple[str, ...]:
    """The pages the service worker keeps a copy of, for a round without network: the GET
    routes marked `opt={"kept_offline": True}`, as patterns."""
    found = set()
    for route, handler, kept in _marked(app, "kept_offline"):
        if kept is not True or handler.http_methods != {"GET"}:
            raise ValueError(f"{route.path}: a page kept offline is a GET marked True")
        found.add(path_pattern(route))
    return tuple(sorted(found))


def queueable_of(request: Request[Any, Any, Any]) -> tuple[tuple[str, str], ...]:
    """The list of the app serving this request (for the base layout and the worker)."""
    return queueable_routes(request.app)


def kept_of(request: Request[Any, Any, Any]) -> tuple[str, ...]:
    """The pages kept offline of the app serving this request (for the worker)."""
    return kept_pages(request.app)


# A replay's refusal, beside the codes of hub/errors.py: the person may no longer do this (a
# role lost, a form open too long), is no longer signed in (kept until they are), or sent too
# much at once (tried again later). A replay the server already saved is answered as saved
# (its UUID is stored once), so no code is needed for a duplicate.
FORBIDDEN = "forbidden"
SIGN_IN = "sign-in"
LATER = "later"
REFUSAL_HEADER = "X-Hub-Refusal"
STATUS_CODES = {401: SIGN_IN, 403: FORBIDDEN, 404: GONE, 429: LATER}


def is_replay(request: Request[Any, Any, Any]) -> bool:
    """A form the offline queue sends again: it reads a refusal's code, not a page."""
    return bool(request.headers.get("x-hub-replay"))


def replay_refusal(code: str, message: str, status: int) -> Response[dict[str, str]]:
    """What a refused replay answers: the code in a header and the body, with the message in
    the person's language for the queue to show."""
    return Response(
        {"refusal": code, "message": message},
        status_code=status,
        headers={REFUSAL_HEADER: code, "Cache-Control": "no-store"},
    )


def status_code_refusal(status: int) -> str:
    """The code of a refusal known only by its HTTP status."""
    return STATUS_CODES.get(status, INVALID)
