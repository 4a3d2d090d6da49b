"""What the community tests read back from the database after going through the pages."""

from __future__ import annotations

from typing import Any

from hub.community.tables import Building, Membership
from tests.web_client import Web


def roles(web: Web, building_id: int) -> dict[int, str]:
    """user id -> role of everyone in a building."""

    async def read() -> dict[int, str]:
        rows = await Membership.select(Membership.user, Membership.role).where(
            Membership.building == building_id
        )
        return {row["user"]: row["role"] for row in rows}

    return web.run(read)


def memberships(web: Web) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        return await Membership.select(
            Membership.id, Membership.user, Membership.building, Membership.role
        ).order_by(Membership.id)

    return web.run(read)


def join_token(web: Web, building_id: int) -> str:
    async def read() -> str:
        row = await Building.select(Building.join_token).where(Building.id == building_id).first()
        assert row is not None
        return str(row["join_token"])

    return web.run(read)
