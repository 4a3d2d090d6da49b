"""Small helpers route handlers share: rendering a page, redirects, safe "next" targets."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_422_UNPROCESSABLE_ENTITY

from hub.settings import get_settings
from hub.web.forms import Form


def page(template: str, *, status: int = 200, **context: Any) -> Template:
    return Template(template_name=template, context=context, status_code=status)


def form_page(template: str, form: Form, **context: Any) -> Template:
    """The form again with what was typed and why it was refused (422)."""
    return page(
        template,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        values=form.values,
        errors=form.errors,
        **context,
    )


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
