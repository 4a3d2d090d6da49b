"""The seams between areas: each area declared once in hub/areas.py, and arrows that point one
way (DESIGN.md): only the web layer and the areas' route modules use hub.web; notifications and
media name no area; every kind of notification an area sends is declared by it, with its words;
nothing registers itself by being imported."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from hub import areas
from hub.area import Area
from hub.areas import AREAS, calendar_sources, permissions, today_sections
from hub.notifications import kinds
from hub.notifications.kinds import KindSpec, known_kinds, optional_kinds, spec_of
from hub.notifications.outbox import notify
from hub.notifications.texts import render

HUB = Path(__file__).resolve().parent.parent / "hub"
BASE = {"accounts", "notifications", "media"}  # what a feature area may build on
FEATURE_AREAS = {area.name for area in AREAS} - BASE
# The kinds stored in outboxes and preferences: a key renamed would orphan those rows.
STORED_KINDS = [
    "shift_reminder",
    "open_places",
    "missed_round",
    "new_observation",
    "task_assigned",
    "task_status",
    "task_follow_up",
    "event_reminder",
    "waitlist_promotion",
    "event_cancelled",
    "urgent_notice",
    "test",
]


def imports_of(path: Path) -> set[str]:
    """Every module a file imports; `from hub import patrols` counts as hub.patrols."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def modules() -> list[Path]:
    return sorted(path for path in HUB.rglob("*.py") if "piccolo_migrations" not in path.parts)


def may_use_the_web_layer(path: Path) -> bool:
    relative = path.relative_to(HUB)
    return relative.parts[0] == "web" or path.name.endswith("routes.py") or path.name == "app.py"


def test_only_the_web_layer_and_route_modules_import_hub_web() -> None:
    offenders = {
        str(path.relative_to(HUB)): sorted(
            name for name in imports_of(path) if name.startswith("hub.web")
        )
        for path in modules()
        if not may_use_the_web_layer(path)
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_notifications_and_media_name_no_area() -> None:
    for package in ("notifications", "media", "db"):
        for path in (HUB / package).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            named = {name.split(".")[1] for name in imports_of(path) if name.startswith("hub.")}
            assert not named & FEATURE_AREAS, f"{path.relative_to(HUB)}: {named}"


def test_accounts_and_community_import_no_feature_area() -> None:
    side_by_side = FEATURE_AREAS - {"community"}
    for package in ("accounts", "community"):
        for path in (HUB / package).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            named = {name.split(".")[1] for name in imports_of(path) if name.startswith("hub.")}
            assert not named & side_by_side, f"{path.relative_to(HUB)}: {named}"


def test_feature_areas_cross_only_through_actions_and_tables() -> None:
    """Feature areas stand side by side: one may call another's actions (a patrol observation
    becomes a repair task) or point a foreign key at its table, and nothing else."""
    side_by_side = FEATURE_AREAS - {"community"}
    for area in side_by_side:
        for path in (HUB / area).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            crossing = {
                name
                for name in imports_of(path)
                if len(parts := name.split(".")) > 2
                and parts[0] == "hub"
                and parts[1] in side_by_side - {area}
                and parts[2] not in {"actions", "tables"}
            }
            assert not crossing, f"{path.relative_to(HUB)}: {sorted(crossing)}"


def test_notifications_name_no_kind_of_another_area() -> None:
    theirs = [key for area in AREAS if area.name != "notifications" for key in area.kinds]
    assert theirs
    for path in (HUB / "notifications").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        named = [key for key in theirs if re.search(rf"\b{key}\b", text, re.IGNORECASE)]
        assert not named, f"{path.relative_to(HUB)} names {named}"


def test_the_audit_record_is_core() -> None:
    """Any area's actions call hub/audit.py, so it uses no feature area and no web layer: only
    the tables of the community app, which names no feature area either."""
    for path in (HUB / "audit.py", HUB / "community" / "tables.py"):
        named = {name for name in imports_of(path) if name.startswith("hub.")}
        areas = {name.split(".")[1] for name in named if len(name.split(".")) > 2}
        assert not areas & (FEATURE_AREAS - {"community"}), f"{path.name}: {named}"
        assert not {name for name in named if name.startswith("hub.web")}, path.name


def test_every_action_takes_the_actor_then_the_place_it_acts_in() -> None:
    """A feature area's do_* takes the actor (a user id) first, then the building (or the
    community) that what it acts on must belong to; a person's own settings take their id."""
    modules = [
        importlib.import_module(f"hub.{path.parent.name}.{path.stem}")
        for package in FEATURE_AREAS - {"community"}
        for path in (HUB / package).glob("*.py")
        if "async def do_" in path.read_text(encoding="utf-8")
    ]
    assert modules
    for module in modules:
        for name, fn in vars(module).items():
            if not (name.startswith("do_") and inspect.isfunction(fn)):
                continue
            if fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            own = params[0] == "user_id" and not {"building_id", "community_id"} & set(params)
            placed = params[0] == "actor" and params[1] in {"building_id", "community_id"}
            assert own or placed, f"{module.__name__}.{name}{tuple(params)}"


def test_nothing_registers_itself_by_being_imported() -> None:
    for path in modules():
        assert "noqa: F401" not in path.read_text(encoding="utf-8"), path.relative_to(HUB)


def test_every_area_is_listed_once_and_declares_what_it_adds() -> None:
    packages = {path.parent.name for path in HUB.glob("*/area.py")}
    assert sorted(area.name for area in AREAS) == sorted(packages), "every area.py is listed"
    assert all(isinstance(area, Area) for area in AREAS)
    orders = [section.order for section in today_sections()]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)
    assert calendar_sources(), "the personal calendar has its sources"


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """The object a name or a dotted name stands for in a module, or a constant's value."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, namespace), node.attr, None)
    return None


def _kind_argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _calls(path: Path) -> Iterator[tuple[ast.Call, Function | None, dict[str, Any]]]:
    """Each call in a module, with the innermost function it is made in and the module's
    namespace."""
    parts = path.relative_to(HUB.parent).with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    namespace = vars(import_module(name))

    def walk(
        node: ast.AST, function: Function | None
    ) -> Iterator[tuple[ast.Call, Function | None]]:
        for child in ast.iter_child_nodes(node):
            inner = (
                child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            )
            if isinstance(child, ast.Call):
                yield child, inner
            yield from walk(child, inner)

    for call, function in walk(ast.parse(path.read_text(encoding="utf-8")), None):
        yield call, function, namespace


def sent_kinds() -> dict[str, set[str]]:
    """The kinds the code queues, by the module queueing them: the kind argument of every call
    to notify(), or to a function of Hub that passes its own parameter on as that argument
    (events' _tell_event). An argument that is neither a constant nor a parameter passed on is
    reported as "?" (name the kind by a module constant)."""
    paths = [path for path in modules() if path.name != "__main__.py"]
    senders: dict[Callable[..., Any], tuple[int, str]] = {notify: (1, "kind")}
    for _ in range(3):  # a sender's callers may pass their own parameter on in turn
        for path in paths:
            for call, function, namespace in _calls(path):
                callee = _resolve(call.func, namespace)
                if callee not in senders or function is None:
                    continue
                argument = _kind_argument(call, *senders[callee])
                parameters = [a.arg for a in function.args.args]
                if isinstance(argument, ast.Name) and argument.id in parameters:
                    outer = namespace.get(function.name)
                    if callable(outer):
                        senders[outer] = (parameters.index(argument.id), argument.id)
    sent: dict[str, set[str]] = {}
    for path in paths:
        for call, function, namespace in _calls(path):
            callee = _resolve(call.func, namespace)
            if callee not in senders:
                continue
            argument = _kind_argument(call, *senders[callee])
            parameters = [a.arg for a in function.args.args] if function else []
            if isinstance(argument, ast.Name) and argument.id in parameters:
                continue  # passed on: its callers are read
            value = _resolve(argument, namespace) if argument is not None else None
            where = str(path.relative_to(HUB))
            sent.setdefault(where, set()).add(value if isinstance(value, str) else "?")
    return sent


def test_every_kind_sent_is_declared_with_its_words_and_every_declared_kind_is_sent() -> None:
    declared = [(area.name, key, spec) for area in AREAS for key, spec in area.kinds.items()]
    assert [key for _, key, _ in declared] == STORED_KINDS
    for name, key, spec in declared:
        assert isinstance(spec, KindSpec), (name, key)
        assert callable(spec.text), (name, key)
        assert spec.label, (name, key)
    sent = sent_kinds()
    assert len(sent) >= 5, sent  # the scan finds the senders (patrols twice, tasks, events, test)
    every = {kind for kinds_of_module in sent.values() for kind in kinds_of_module}
    assert every == set(STORED_KINDS), sent
    for where, kinds_of_module in sent.items():
        area = where.split("/")[0]
        owned = {key for a in AREAS if a.name == area for key in a.kinds}
        assert kinds_of_module <= owned, f"{where} sends {kinds_of_module - owned}, not its own"


def test_install_hands_every_kind_with_its_words_to_notifications() -> None:
    areas.install()
    assert known_kinds() == STORED_KINDS
    assert optional_kinds() == STORED_KINDS[:-1]  # the order of the settings page, as before
    for key in STORED_KINDS:
        assert spec_of(key) is next(a.kinds[key] for a in AREAS if key in a.kinds)


def test_a_kind_declared_twice_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kinds, "_kinds", dict(kinds._kinds))
    [tasks] = [area for area in AREAS if area.name == "tasks"]
    copy = replace(tasks, name="copy")
    with pytest.raises(ValueError, match="declared twice"):
        areas.install((*AREAS, copy))
    assert known_kinds() == STORED_KINDS  # refused whole: what was installed stays


def test_the_worker_start_installs_every_kinds_words_without_the_web_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hub import cli

    monkeypatch.setattr(kinds, "_kinds", {})
    cli.prepare_worker()
    assert known_kinds() == STORED_KINDS
    for area in AREAS:
        for key, spec in area.kinds.items():
            assert spec_of(key).text is spec.text
    assert render("test", {}, "en") == (
        "Hub test notification",
        "Notifications work on this device.",
    )
    alone = (  # in a process of its own, to see what the worker's start imports
        "import sys; from hub.cli import prepare_worker; prepare_worker();"
        "from hub.notifications.kinds import known_kinds; print(len(known_kinds()));"
        "print(sorted(m for m in sys.modules if m == 'hub.app' or m.startswith('hub.web')))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", alone], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stdout.split("\n")[:2] == [str(len(STORED_KINDS)), "[]"], ran.stderr


def test_every_permission_is_declared_once_with_a_description() -> None:
    declared = [permission for area in AREAS for permission in area.permissions]
    assert len({permission.name for permission in declared}) == len(declared)
    assert all(permission.description for permission in declared)
    assert set(permissions()) == {permission.name for permission in declared}


def test_every_permission_is_asked_for_somewhere() -> None:
    """A permission no route, rule or page asks for would be granted for nothing."""
    sources = [
        path.read_text(encoding="utf-8")
        for path in [*modules(), *(HUB.parent / "templates").rglob("*.html")]
        if path.name not in {"area.py", "roles.py"}
    ]
    unasked = [name for name in permissions() if not any(f'"{name}"' in text for text in sources)]
    assert not unasked


def test_every_handler_of_a_route_module_is_served_through_its_area() -> None:
    """A handler written in an area's route module but left out of the routers its area.py
    declares would never answer."""
    from litestar import Controller
    from litestar.handlers import HTTPRouteHandler

    def handlers_in(values: Iterable[Any]) -> list[HTTPRouteHandler]:
        """The handlers among these values, and those of the controllers among them."""
        found = []
        for value in values:
            if isinstance(value, type) and issubclass(value, Controller):
                found += handlers_in(vars(value).values())
            elif isinstance(value, HTTPRouteHandler):
                found.append(value)
        return found

    def function(handler: HTTPRouteHandler) -> Any:
        """A controller's served handler is bound to the controller: the function under it."""
        return getattr(handler.fn, "__func__", handler.fn)

    for area in AREAS:
        served = {
            function(handler)
            for router in area.routers()
            for route in router.routes
            for handler in getattr(route, "route_handlers", ())
        }
        for path in (HUB / area.name).glob("*routes.py"):
            module = import_module(f"hub.{area.name}.{path.stem}")
            written = {
                function(handler)
                for handler in handlers_in(vars(module).values())
                if function(handler).__module__ == module.__name__
            }
            assert written, f"{path.relative_to(HUB)} holds no handler"
            assert served, f"{area.name} has route modules and declares no router"
            missing = sorted(fn.__name__ for fn in written - served)
            assert not missing, f"{area.name} does not serve {missing} from {path.name}"
