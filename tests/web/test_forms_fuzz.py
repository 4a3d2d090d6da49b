"""Random forms posted to every POST route never make the server fail (no 5xx)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.community.roles import ADMIN, GRANTS
from hub.web.policy import access_of
from tests.events.support import path_values_in
from tests.factories import World
from tests.notifications.support import path_values_in as notification_path_values
from tests.patrols.world import path_values_in as patrol_path_values
from tests.tasks.support import path_values_in as task_path_values
from tests.web.app_routes import POST_ROUTES, RouteCase, form_fields
from tests.web.conftest import act_as, join_token
from tests.web_client import Web

FIELDS = {case.id: sorted(form_fields(case.handler) | {"next"}) for case in POST_ROUTES}

# Values a real form would send, so some examples get past validation into the actions.
MEANINGFUL = [
    "",
    " ",
    "zh",
    "en",
    "resident",
    "volunteer",
    "leader",
    "electrics",
    "on",
    "1",
    "0",
    "-1",
    "99999999999",
    "Asia/Shanghai",
    "Not/AZone",
    "13812345678",
    "someone@example.org",
    "Lobby light out",
    "long enough password",
    "/",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
]
SHORT_TEXT = st.text(max_size=40)  # any code point but surrogates, which no form can carry
AWKWARD_TEXT = st.text(alphabet=st.sampled_from("\x00\r\n\t <>\"'&%=;\u202e\ufeff\u200b中文"))
LONG_TEXT = st.builds(
    lambda char, count: char * count,
    st.characters(exclude_categories=("Cs",)),
    st.integers(min_value=190, max_value=12_000),
)
TEXT = st.one_of(st.sampled_from(MEANINGFUL), SHORT_TEXT, AWKWARD_TEXT.filter(bool), LONG_TEXT)
VALUE = st.one_of(TEXT, st.lists(TEXT, max_size=3))


def forms(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the real fields plus a few made-up ones, each with any value."""
    real = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, VALUE))
    made_up = st.dictionaries(st.text(min_size=1, max_size=12), VALUE, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, real, made_up)


def url_of(case: RouteCase, web: Web, world: World) -> str:
    return case.url(
        {
            "building_id": world.building_id,
            "community_id": world.community_id,
            "membership_id": world.membership_of(world.resident),
            "token": "no-such-setup-token"
            if case.path.startswith("/setup/")
            else join_token(web, world.building_id),
            **web.run(patrol_path_values, world.building_id, world.volunteer.id),
            **web.run(path_values_in, world.building_id, world.community_id, world.leader.id),
            **(
                web.run(task_path_values, world.building_id, world.resident.id)
                if "{task_id" in case.path
                else {}
            ),
            **(
                web.run(notification_path_values, world.resident.id)
                if "{subscription_id" in case.path
                else {}
            ),
        }
    )


FUZZ = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Anonymous and building A's leader on every route; community A's admin too where only an admin
# gets past the guard, so that the admin's handlers see random forms as well.
# What a community admin may do and a building's leader may not.
ONLY_ADMINS = GRANTS[ADMIN] - GRANTS["leader"]
CASES = [
    pytest.param(case, role, id=f"{case.id} as {role}")
    for case in POST_ROUTES
    for role in ("anonymous", "leader", "admin")
    if role != "admin" or access_of(case.handler) in ONLY_ADMINS
]


def test_every_post_route_reads_some_known_fields() -> None:
    """The field discovery works: the forms that have fields are found to have them."""
    assert FIELDS["POST /login"] == ["login", "next", "password"]
    assert {"display_name", "contact", "password"} <= set(FIELDS["POST /join/{token:str}"])
    assert {"community_name", "building_name"} <= set(FIELDS["POST /setup/{token:str}"])
    # Read by the area's forms module (hub/patrols/forms.py), not by the handler itself.
    schedule = {"weekdays", "start", "end", "volunteers", "starts_on", "ends_on"}
    schedules = "POST /b/{building_id:int}/routes/{route_id:int}/schedules"
    assert schedule <= set(FIELDS[schedules])
    assert schedule <= set(FIELDS[schedules + "/{schedule_id:int}"])
    assert {"title", "starts_at", "max_guests"} <= set(FIELDS["POST /b/{building_id:int}/events"])
    assert FIELDS["POST /b/{building_id:int}/tasks/{task_id:int}/assign"] == ["next", "people"]


@pytest.mark.parametrize(("case", "role"), CASES)
@FUZZ
@given(data=st.data())
def test_random_forms_never_fail(
    web: Web, world: World, case: RouteCase, role: str, data: st.DataObject
) -> None:
    # The fixtures are made once per test; each example starts again from the role's own
    # session (the last one may have signed out, or joined as a new account) and a fresh count
    # of sign-in attempts, so that the rate limit does not hide what the handler would do.
    act_as(web, world, role)
    form = data.draw(forms(FIELDS[case.id]), label="form")
    response = web.post(url_of(case, web, world), form)
    assert response.status_code < 500, response.text[:2000]
