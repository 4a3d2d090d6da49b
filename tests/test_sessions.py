"""Sessions are written only when they change, so page views and bots cost no writes."""

from __future__ import annotations

import pytest

from hub.accounts.tables import SessionRecord
from tests.factories import World
from tests.web_client import PASSWORD, Device, Web, text_of


def session_rows(web: Web) -> int:
    return web.run(SessionRecord.count)


def test_anonymous_visits_store_no_session(web: Web) -> None:
    for path in ("/login", "/login", "/healthz", "/nowhere"):
        web.get(path)
    assert session_rows(web) == 0
    assert "hub_session" not in web.client.cookies


def test_reading_pages_does_not_rewrite_the_session(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    assert session_rows(web) == 1

    async def stored() -> tuple[bytes, object]:
        row = await SessionRecord.select(SessionRecord.data, SessionRecord.expires_at).first()
        return bytes(row["data"]), row["expires_at"]

    before = web.run(stored)
    for path in ("/", "/profile", f"/b/{world.building_id}/members"):
        assert web.get(path).status_code == 200
    assert web.run(stored) == before


def test_signing_out_deletes_the_session(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    web.sign_out()
    assert session_rows(web) == 0


# Ending a person's other sessions -----------------------------------------------------------------


@pytest.fixture
def other_device(web: Web) -> Device:
    return Device(web.client)


def signed_in(web: Web) -> bool:
    return web.get("/profile").status_code == 200


def test_sessions_name_their_user(web: Web, world: World) -> None:
    web.post("/preferences/language", {"language": "en"})  # an anonymous session
    web.sign_in(world.leader.login)
    rows = web.run(SessionRecord.select(SessionRecord.user).run)
    assert rows == [{"user": world.leader.id}]


def test_changing_the_password_ends_the_other_sessions(
    web: Web, other_device: Web, world: World
) -> None:
    web.sign_in(world.volunteer.login)
    other_device.sign_in(world.volunteer.login)
    form = {"current": PASSWORD, "new": "lantern under the stairs", "confirm": ""}
    form["confirm"] = form["new"]
    before = web.client.cookies.get("hub_session")
    assert web.post("/password", form).headers["location"] == "/password?saved=1"
    assert web.client.cookies.get("hub_session") != before  # a new id for this one
    assert signed_in(web)
    assert not signed_in(other_device)
    assert web.run(SessionRecord.count) == 1


def test_sign_out_everywhere_else(web: Web, other_device: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    other_device.sign_in(world.volunteer.login)
    someone_else = Device(web.client)
    someone_else.sign_in(world.leader.login)
    response = web.post("/sessions/end-others", headers={"Accept-Language": "en"})
    assert response.headers["location"] == "/profile?signed-out=1"
    page = web.get("/profile?signed-out=1", headers={"Accept-Language": "en"})
    assert "You are signed out on every other phone and computer." in text_of(page)
    assert not signed_in(other_device)
    assert signed_in(someone_else)  # only the person's own sessions end
    assert signed_in(web)


def test_a_session_ended_during_a_request_does_not_come_back(
    web: Web, other_device: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other device's request began before its session ended and changes the session (its
    language): saving it afterwards must not bring the ended session back."""
    from hub.accounts import actions

    web.sign_in(world.volunteer.login)
    other_device.sign_in(world.volunteer.login)
    set_preferences = actions.do_set_preferences

    async def ended_meanwhile(user_id: int, **changes: object) -> None:
        await actions.do_sign_out_everywhere_else(user_id)
        await set_preferences(user_id, **changes)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "do_set_preferences", ended_meanwhile)
    assert other_device.post("/preferences/language", {"language": "en"}).status_code == 303
    assert not signed_in(other_device)
    assert web.run(SessionRecord.count) == 0


def test_sessions_stored_before_get_their_user_from_their_data(web: Web, world: World) -> None:
    """The migration that added the user column fills it for the sessions already there."""
    import importlib

    from hub.db import write_transaction

    migration = importlib.import_module(
        "hub.accounts.piccolo_migrations.accounts_2026_12_06t12_43_16_000000"
    )
    data = {
        "old-signed-in": f'{{"user_id": {world.leader.id}, "language": "zh"}}'.encode(),
        "old-anonymous": b'{"language": "en"}',
        "old-gone-user": b'{"user_id": 999999}',
    }

    async def store_and_migrate() -> dict[str, int | None]:
        async with write_transaction():
            for key, value in data.items():
                await SessionRecord.insert(SessionRecord(key=key, data=value, user=None))
        manager = await migration.forwards()
        await manager.run()
        rows = await SessionRecord.select(SessionRecord.key, SessionRecord.user)
        return {row["key"]: row["user"] for row in rows}

    assert web.run(store_and_migrate) == {
        "old-signed-in": world.leader.id,
        "old-anonymous": None,
        "old-gone-user": None,
    }
