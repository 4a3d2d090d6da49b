"""Random path and query parameters on every GET route never make the server fail (no 5xx):
ids no row can have are not found, and days far from now are refused with a message."""

from __future__ import annotations

import inspect
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.community.roles import ADMIN, GRANTS
from hub.web.policy import access_of
from tests.factories import World
from tests.web.app_routes import PATH_PARAMETER, ROUTES, RouteCase
from tests.web.conftest import act_as
from tests.web_client import Web

GET_ROUTES = [case for case in ROUTES if case.method == "GET"]
QUERY_READ = re.compile(r"""query_params\.get\(\s*["'](\w+)["']""")
INT_PARAMETER = re.compile(r"\{(\w+):int\}")
# Query names read by helpers that many handlers share (photos, "next").
SHARED_QUERY = ["next", "size", "format", "v"]

EXTREME_INTS = [0, -1, 2**31 - 1, 2**31, 2**63, 10**23, 99999999999999999999999]
DAYS = [
    "0001-01-01",
    "9999-12-31",
    "1999-12-31",
    "2100-01-01",
    "2026-02-30",
    "2026-12-07",
    "2026-W50",
    "20261207",
]
TEXT = st.one_of(
    st.sampled_from(["", "1", "-1", "0", "thumb", "960", "avif", "9" * 5000, *DAYS]),
    st.integers().map(str),
    st.text(max_size=30),
)


def query_names(case: RouteCase) -> list[str]:
    """The query parameters a handler reads: its FromQuery arguments and query_params.get()s,
    in its source and in the helpers of its module it calls."""
    fn = case.handler.fn
    names = {
        name
        for name, parameter in inspect.signature(fn).parameters.items()
        if "FromQuery" in str(parameter.annotation)
    }
    sources = [inspect.getsource(fn)]
    for name in fn.__code__.co_names:
        helper = fn.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__ == fn.__module__:
            sources.append(inspect.getsource(helper))
    names |= {name for source in sources for name in QUERY_READ.findall(source)}
    return sorted(names | set(SHARED_QUERY))


def test_query_discovery_finds_the_known_ones() -> None:
    [logbook] = [c for c in GET_ROUTES if c.path == "/b/{building_id:int}/logbook"]
    assert "week" in query_names(logbook)
    [week] = [c for c in GET_ROUTES if c.path == "/b/{building_id:int}/patrols/week"]
    assert "start" in query_names(week)


def parameter_value(name: str, is_int: bool) -> st.SearchStrategy[str]:
    if is_int:
        return st.one_of(st.sampled_from(EXTREME_INTS), st.integers()).map(str)
    return st.text(min_size=1, max_size=40).map(lambda text: quote(text, safe=""))


def urls(case: RouteCase, values: dict[str, Any]) -> st.SearchStrategy[str]:
    """The route with its real values, or one of its path parameters replaced by anything,
    and any of the query parameters it reads (and a made-up one) with any value."""
    ints = set(INT_PARAMETER.findall(case.path))
    names = PATH_PARAMETER.findall(case.path)
    changed = st.sampled_from([None, *names]).flatmap(
        lambda name: (
            st.just({})
            if name is None
            else parameter_value(name, name in ints).map(lambda value: {name: value})
        )
    )
    query = st.dictionaries(st.sampled_from([*query_names(case), "made_up"]), TEXT, max_size=3)
    return st.builds(
        lambda change, params: (
            case.url({**values, **change}) + (f"?{urlencode(params)}" if params else "")
        ),
        changed,
        query,
    )


FUZZ = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What a community admin may do and a building's leader may not.
ONLY_ADMINS = GRANTS[ADMIN] - GRANTS["leader"]
CASES = [
    pytest.param(case, role, id=f"{case.id} as {role}")
    for case in GET_ROUTES
    for role in ("anonymous", "leader", "admin")
    if role != "admin" or access_of(case.handler) in ONLY_ADMINS
]


def values_for(case: RouteCase, path_values: dict[str, Any]) -> dict[str, Any]:
    values = dict(path_values)
    if case.path.startswith("/setup/"):
        values["token"] = path_values["setup_token"]
    return values


@pytest.mark.parametrize(("case", "role"), CASES)
@FUZZ
@given(data=st.data())
def test_random_parameters_never_fail(
    web: Web,
    world: World,
    path_values: dict[str, Any],
    case: RouteCase,
    role: str,
    data: st.DataObject,
) -> None:
    act_as(web, world, role)
    url = data.draw(urls(case, values_for(case, path_values)), label="url")
    response = web.get(url)
    assert response.status_code < 500, f"{url}: {response.text[:2000]}"


# The cases the issue named ------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", ["99999999999999999999999", "2147483648", "0"])
def test_an_id_no_row_can_have_is_not_found(web: Web, world: World, task_id: str) -> None:
    act_as(web, world, "leader")
    assert web.get(f"/b/{world.building_id}/tasks/{task_id}").status_code == 404
    assert web.get(f"/b/{task_id}/tasks").status_code == 404


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("logbook?week=9999-12-31", "Please choose a week as a date such as 2026-11-30."),
        ("logbook?week=0001-01-01", "Please choose a week as a date such as 2026-11-30."),
        ("patrols/week?start=0001-01-01", "Please choose a week as a date such as 2026-11-30."),
        ("patrols/week?start=9999-12-31", "Please choose a week as a date such as 2026-11-30."),
    ],
)
def test_a_week_far_from_now_is_refused_with_a_message(
    web: Web, world: World, path: str, message: str
) -> None:
    act_as(web, world, "leader")
    response = web.get(f"/b/{world.building_id}/{path}", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in response.text


def test_numbers_too_long_to_read_are_ignored(
    web: Web, world: World, path_values: dict[str, Any]
) -> None:
    act_as(web, world, "leader")
    huge = "9" * 5000
    base = f"/b/{world.building_id}"
    for path in (
        f"{base}/events/{path_values['event_id']}?guests={huge}",
        f"{base}/events/{path_values['event_id']}/cover?size={huge}",
        f"{base}/coverage?weeks={huge}",
        f"{base}/logbook?week={huge}",
    ):
        assert web.get(path).status_code < 500, path


def test_an_event_or_a_shift_far_from_now_is_refused_with_a_message(web: Web, world: World) -> None:
    from tests.patrols.world import make_route

    patrol = web.run(make_route, world)
    act_as(web, world, "leader")
    base = f"/b/{world.building_id}"
    event = {"title": "Talk", "starts_at": "0001-01-01T10:00", "ends_at": "0001-01-01T12:00"}
    response = web.post(f"{base}/events", event, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please give a date and time such as 2026-05-01 14:30." in response.text
    shift = {"day": "9999-12-31", "start": "19:00", "minutes": "60", "volunteers": "2"}
    response = web.post(
        f"{base}/routes/{patrol.route_id}/shifts", shift, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "Please give a date such as 2026-12-01." in response.text


@pytest.mark.parametrize("token", ["%00", "a%00b", "%ff", "%ed%a0%80", "%0a"])
def test_a_token_no_row_can_hold_is_not_found(web: Web, world: World, token: str) -> None:
    """PostgreSQL refuses text with a NUL or that is not UTF-8: such a token names nothing."""
    for path in (f"/calendar/feed/{token}", f"/join/{token}", f"/setup/{token}"):
        assert web.get(path).status_code == 404, path
