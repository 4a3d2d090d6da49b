"""What account pages read."""

from __future__ import annotations

from hub.accounts.tables import UserSkill


async def skills_of(user_id: int) -> list[str]:
    rows = await UserSkill.select(UserSkill.skill).where(UserSkill.user == user_id)
    return [row["skill"] for row in rows]
