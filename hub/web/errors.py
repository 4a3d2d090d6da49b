"""Every error as a translated page with the right status, never a bare trace."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from hub.errors import Refused
from hub.web.i18n import N_, _, choose_language, current_language

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
}


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
    return Redirect(path=f"/login?next={quote(target)}", status_code=303)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException):
        return sign_in_redirect(request)
    response = error_page(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def handle_refused(request: Request[Any, Any, Any], refused: Refused) -> Response[Any]:
    """A rule said no where there is no form to show it on: the reason, with 409."""
    _ensure_language(request)
    return Template(
        template_name="errors/error.html",
        context={"status": 409, "title": _("That did not work"), "message": refused.message},
        status_code=409,
    )


def handle_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception,
    Refused: handle_refused,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_server_error,
}
