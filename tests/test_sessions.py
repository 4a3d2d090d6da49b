"""Sessions are written only when they change, so page views and bots cost no writes."""

from __future__ import annotations

from hub.accounts.tables import SessionRecord
from tests.factories import World
from tests.web_client import Web


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
