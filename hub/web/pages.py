"""Small helpers route handlers share: rendering a page, redirects, safe "next" targets."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_422_UNPROCESSABLE_ENTITY

from hub.forms import Form
from hub.settings import get_settings
from hub.web.history import PUSH_URL


def page(template: str, *, status: int = 200, at: str | None = None, **context: Any) -> Template:
    """A page; `at`, for a page that answers a form, is the address that shows it again, which
    htmx then puts in the address bar instead of the form's (hub.web.history)."""
    headers = {PUSH_URL: at} if at else None
    return Template(template_name=template, context=context, status_code=status, headers=headers)


def form_page(template: str, form: Form, *, at: str | None = None, **context: Any) -> Template:
    """The form again with what was typed and why it was refused (422), at `at`."""
    return page(
        template,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        at=at,
        values=form.values,
        errors=form.errors,
        **context,
    )


def tell(request: Request[Any, Any, Any], message: str, kind: str = "success") -> None:
    """Say what an action did (or why it did not) on the next page shown, whichever it is:
    a message kept in the session until a page shows it ("success", "warning" or "error")."""
    flash(request, message, kind)


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=HTTP_303_SEE_OTHER)


def absolute_url(request: Request[Any, Any, Any], path: str) -> str:
    """The full address of a path, as people reach Hub (HUB_PUBLIC_URL, else this request's)."""
    base = get_settings().public_url or str(request.base_url).rstrip("/")
    return f"{base}{path}"


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go on to; anything that could leave the site becomes `default`."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or not target.isprintable()
    ):
        return default
    return target


def back_to(request: Request[Any, Any, Any], default: str = "/") -> str:
    return safe_next(request.query_params.get("next"), default)
