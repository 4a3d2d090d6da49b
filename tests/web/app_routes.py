"""Every route of the app, found by walking `create_app().routes`, for tests that cover them all."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

from litestar.handlers.http_handlers import HTTPRouteHandler

from hub.app import create_app

PATH_PARAMETER = re.compile(r"\{(\w+):[^}]+\}")
FORM_FIELD = re.compile(
    r"""form\.(?:text|secret|choice|choices|integer|flag|raw)\(\s*["'](\w+)["']"""
)


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    handler: HTTPRouteHandler

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def parameters(self) -> list[str]:
        return PATH_PARAMETER.findall(self.path)

    @property
    def building_scoped(self) -> bool:
        return bool({"building_id", "community_id"} & set(self.parameters))

    def url(self, values: dict[str, Any]) -> str:
        """The path with every parameter filled; a parameter without a value is a KeyError."""
        return PATH_PARAMETER.sub(lambda m: str(values[m.group(1)]), self.path)


def _is_static(path: str, handler: HTTPRouteHandler) -> bool:
    return path.startswith("/static/") and (handler.name or "").startswith("static")


def _is_automatic_options(handler: HTTPRouteHandler) -> bool:
    """Litestar adds an OPTIONS handler to every path; it answers only with an Allow header."""
    return handler.http_methods == {"OPTIONS"} and "create_options_handler" in getattr(
        handler.fn, "__qualname__", ""
    )


def discover_routes() -> list[RouteCase]:
    cases = []
    for route in create_app().routes:
        for handler in getattr(route, "route_handlers", []):
            if _is_static(route.path, handler) or _is_automatic_options(handler):
                continue
            for method in sorted(handler.http_methods):
                cases.append(RouteCase(method=method, path=route.path, handler=handler))
    return sorted(cases, key=lambda case: (case.path, case.method))


def form_fields(handler: HTTPRouteHandler) -> set[str]:
    """The field names a handler reads, from its source and the helpers of its module it calls."""
    fn = handler.fn
    sources = [inspect.getsource(fn)]
    for name in fn.__code__.co_names:
        helper = fn.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__ == fn.__module__:
            sources.append(inspect.getsource(helper))
    return {name for source in sources for name in FORM_FIELD.findall(source)}


ROUTES = discover_routes()
POST_ROUTES = [case for case in ROUTES if case.method == "POST"]
