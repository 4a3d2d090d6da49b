"""Every route of the app, found by walking the app's routes, for tests that cover them all."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.handlers.http_handlers import HTTPRouteHandler

from tests.web_client import shared_app

PATH_PARAMETER = re.compile(r"\{(\w+):[^}]+\}")
# The readers of hub.forms.Form that take a field's name first.
FORM_READERS = {"text", "secret", "choice", "choices", "integer", "flag", "raw"}
# How far from a handler its helpers are followed (handler > forms module > field readers).
HELPER_DEPTH = 4


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
    for route in shared_app().routes:
        for handler in getattr(route, "route_handlers", []):
            if _is_static(route.path, handler) or _is_automatic_options(handler):
                continue
            for method in sorted(handler.http_methods):
                cases.append(RouteCase(method=method, path=route.path, handler=handler))
    return sorted(cases, key=lambda case: (case.path, case.method))


def _is_form(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "form"


def _field_names(source: str) -> set[str]:
    """The literal field names read from a form in this source: `form.text("name")` and
    helpers given the form and a name, such as `time_of_day(form, "start")`."""
    found = set()
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        reader = isinstance(func, ast.Attribute) and (
            (func.attr in FORM_READERS and _is_form(func.value))
            or (  # form.data.get("name", [])
                func.attr == "get"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "data"
                and _is_form(func.value.value)
            )
        )
        if reader and args:
            name = args[0]
        elif len(args) >= 2 and _is_form(args[0]):
            name = args[1]
        else:
            continue
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            found.add(name.value)
    return found


def _names_used(code: types.CodeType) -> set[str]:
    """Global and attribute names a function's code uses, comprehensions included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _helpers(fn: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The functions of Hub a function calls by name: `helper(...)`, `module.helper(...)`."""
    fn = inspect.unwrap(fn)
    names = _names_used(fn.__code__)
    found: list[Callable[..., Any]] = []
    for name in names:
        value = fn.__globals__.get(name)
        candidates = [value]
        if inspect.ismodule(value) and value.__name__.startswith("hub."):
            candidates = [getattr(value, attr, None) for attr in names]
        found += [
            candidate
            for candidate in candidates
            if inspect.isfunction(candidate) and candidate.__module__.startswith("hub.")
        ]
    return found


def form_fields(handler: HTTPRouteHandler) -> set[str]:
    """The field names a handler reads, from its source and from the functions of Hub it calls
    (its module's helpers, the area's forms module), a few calls deep."""
    fields: set[str] = set()
    seen: set[Callable[..., Any]] = set()
    # a controller's handler is a method bound to the controller: read the function under it
    layer: list[Callable[..., Any]] = [getattr(handler.fn, "__func__", handler.fn)]
    for _depth in range(HELPER_DEPTH):
        next_layer = []
        for fn in layer:
            if fn in seen:
                continue
            seen.add(fn)
            fields |= _field_names(inspect.getsource(fn))
            next_layer += _helpers(fn)
        layer = next_layer
    return fields


ROUTES = discover_routes()
POST_ROUTES = [case for case in ROUTES if case.method == "POST"]
