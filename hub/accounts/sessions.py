"""A Litestar store kept in the database, so sessions survive restarts and every process and
host sees the same ones (Litestar ships memory, file and Redis stores only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.stores.base import Store

from hub.accounts.tables import SessionRecord
from hub.db import write_transaction


def _now() -> datetime:
    return datetime.now(UTC)


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return _now() + timedelta(seconds=seconds)


def _live(key: str):
    return (SessionRecord.key == key) & (
        SessionRecord.expires_at.is_null() | (SessionRecord.expires_at > _now())
    )


class DatabaseStore(Store):
    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        async with write_transaction():
            updated = (
                await SessionRecord.update(
                    {SessionRecord.data: data, SessionRecord.expires_at: expires_at}
                )
                .where(SessionRecord.key == key)
                .returning(SessionRecord.id)
            )
            if not updated:
                await SessionRecord.insert(SessionRecord(key=key, data=data, expires_at=expires_at))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await SessionRecord.select(SessionRecord.data).where(_live(key)).first()
        if row is None:
            return None
        if renew_for is not None:
            async with write_transaction():
                await SessionRecord.update({SessionRecord.expires_at: _expiry(renew_for)}).where(
                    SessionRecord.key == key
                )
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await SessionRecord.delete().where(SessionRecord.key == key)

    async def delete_all(self) -> None:
        await SessionRecord.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await SessionRecord.exists().where(_live(key))

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRecord.select(SessionRecord.expires_at).where(_live(key)).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - _now()).total_seconds())

    async def delete_expired(self) -> None:
        await SessionRecord.delete().where(SessionRecord.expires_at < _now())
