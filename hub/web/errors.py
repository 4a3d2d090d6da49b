"""Every error as a translated page with the right status, never a bare trace."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from hub.db.errors import DatabaseUnavailable
from hub.errors import INVALID, Refused
from hub.i18n import N_, _, choose_language, current_language
from hub.urls import url
from hub.web.offline import SIGN_IN, is_replay, replay_refusal, status_code_refusal
from hub.web.pages import safe_next, tell

logger = logging.getLogger("hub")

MESSAGES = {
    400: (N_("Something in the request was not right"), N_("Please go back and try again.")),
    403: (
        N_("Not allowed"),
        N_(
            "Your role does not allow this, or the form was open too long. "
            "Reload the page and try again."
        ),
    ),
    404: (N_("Not found"), N_("This page does not exist, or you cannot see it.")),
    405: (N_("Not allowed"), N_("This page cannot be used that way.")),
    413: (N_("Too large"), N_("What you sent is too large.")),
    429: (
        N_("Too many attempts"),
        N_("Too many attempts from your network. Please wait a minute and try again."),
    ),
    500: (N_("Something went wrong"), N_("We could not do that. Please try again later.")),
    503: (
        N_("Hub is busy"),
        N_("Hub could not reach its database just now. Nothing was lost: try again in a minute."),
    ),
}
RETRY_AFTER_SECONDS = "30"


def _ensure_language(request: Request[Any, Any, Any]) -> None:
    state = request.scope.get("state", {})
    if "language" not in state:
        session = request.scope.get("session") or {}
        language = choose_language(
            None, session.get("language"), request.headers.get("accept-language")
        )
        state["language"] = language
    current_language.set(state["language"])


def error_page(request: Request[Any, Any, Any], status: int) -> Template:
    _ensure_language(request)
    title, message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": _(title), "message": _(message)},
        status_code=status,
    )


def sign_in_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    target = request.url.path if request.method == "GET" else "/"
    return Redirect(path=url("accounts.login") + f"?next={quote(target)}", status_code=303)


def refused_replay(request: Request[Any, Any, Any], status: int) -> Response[Any]:
    """A replay of the offline queue refused for a reason its status says."""
    _ensure_language(request)
    if status == HTTP_401_UNAUTHORIZED:
        return replay_refusal(SIGN_IN, _("Please sign in again to send it."), status)
    _title, message = MESSAGES.get(status, MESSAGES[400])
    return replay_refusal(status_code_refusal(status), _(message), status)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if is_replay(request) and exc.status_code < HTTP_500_INTERNAL_SERVER_ERROR:
        return refused_replay(request, exc.status_code)
    if isinstance(exc, NotAuthorizedException):
        return sign_in_redirect(request)
    response = error_page(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _page_of_the_form(request: Request[Any, Any, Any]) -> str | None:
    """The page a form was posted from, to go back to: what htmx says it is showing, for a
    boosted form, else the Referer. None for a request that is not a person's form: a
    fragment's request, one from elsewhere."""
    if request.method in {"GET", "HEAD"}:
        return None
    htmx = request.headers.get("hx-request") == "true"
    if htmx and request.headers.get("hx-boosted") != "true":
        return None
    came_from = request.headers.get("hx-current-url" if htmx else "referer")
    if not came_from:
        return None
    parts = urlsplit(came_from)
    if parts.netloc != request.url.netloc:
        return None
    return safe_next(f"{parts.path}?{parts.query}" if parts.query else parts.path, "") or None


def handle_refused(request: Request[Any, Any, Any], refused: Refused) -> Response[Any]:
    """A rule said no where there is no form to show it on: back to the page of the form, with
    the reason said there; else the reason, with 409; to the offline queue's replay, its
    refusal."""
    _ensure_language(request)
    if is_replay(request):
        status = HTTP_422_UNPROCESSABLE_ENTITY if refused.code == INVALID else HTTP_409_CONFLICT
        return replay_refusal(refused.code, refused.message, status)
    back = _page_of_the_form(request)
    if back is not None:
        tell(request, refused.message, "error")
        return Redirect(path=back, status_code=303)
    return Template(
        template_name="errors/error.html",
        context={
            "status": HTTP_409_CONFLICT,
            "title": _("That did not work"),
            "message": refused.message,
        },
        status_code=HTTP_409_CONFLICT,
    )


def handle_database_unavailable(
    request: Request[Any, Any, Any], exc: DatabaseUnavailable
) -> Response[Any]:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    response = error_page(request, HTTP_503_SERVICE_UNAVAILABLE)
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def handle_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception,
    Refused: handle_refused,
    DatabaseUnavailable: handle_database_unavailable,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_server_error,
}
