"""Server-side sessions kept in the database, so they survive restarts and every process and
host sees the same ones (Litestar ships memory, file and Redis stores only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from hub import clock
from hub.accounts.tables import SessionRecord
from hub.db import write_transaction


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return clock.now() + timedelta(seconds=seconds)


def _live(key: str):
    return (SessionRecord.key == key) & (
        SessionRecord.expires_at.is_null() | (SessionRecord.expires_at > clock.now())
    )


def _user_of(data: bytes, user_key: str) -> int | None:
    """The user a session's data names (Litestar stores it as JSON), if any."""
    try:
        user_id = json.loads(data).get(user_key)
    except (ValueError, AttributeError):
        return None
    return user_id if isinstance(user_id, int) else None


class DatabaseStore(Store):
    """Sessions as rows; each row also names its user (`user_key` in the session's data), so
    that all of a person's sessions can be found and ended."""

    def __init__(self, user_key: str = "user_id") -> None:
        self.user_key = user_key

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        async with write_transaction():
            if not await self.update(key, data, expires_in):
                await SessionRecord.insert(
                    SessionRecord(
                        key=key,
                        data=data,
                        expires_at=_expiry(expires_in),
                        user=_user_of(data, self.user_key),
                    )
                )

    async def update(self, key: str, data: bytes, expires_in: int | timedelta | None) -> bool:
        """Change a stored session; False when there is none under this key."""
        async with write_transaction():
            updated = (
                await SessionRecord.update(
                    {
                        SessionRecord.data: data,
                        SessionRecord.expires_at: _expiry(expires_in),
                        SessionRecord.user: _user_of(data, self.user_key),
                    }
                )
                .where(SessionRecord.key == key)
                .returning(SessionRecord.id)
            )
        return bool(updated)

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
        return int((row["expires_at"] - clock.now()).total_seconds())

    async def delete_expired(self) -> None:
        await SessionRecord.delete().where(SessionRecord.expires_at < clock.now())


_LOADED = "hub.session_loaded"
_ROTATE = "hub.session_rotate"
_NEW_ID = "hub.session_new_id"


def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Give this session a new id when the response is sent, as at sign-in, so an id a browser
    was handed before cannot become a signed-in session (session fixation)."""
    connection.scope[_ROTATE] = True  # type: ignore[literal-required]


class ChangedOnlySessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, writing a session only when its data changed.

    Litestar writes the session on every response, and stores an empty one for every visitor:
    with sessions in the database that would be one write per page view, and a row per bot.
    """

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        loaded = self.serialize_data(data, connection.scope) if data else b""
        connection.scope[_LOADED] = loaded  # type: ignore[literal-required]
        return data

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        if not connection.scope.get(_ROTATE):
            return super().get_session_id(connection)
        if _NEW_ID not in connection.scope:
            connection.scope[_NEW_ID] = self.generate_session_id()  # type: ignore[literal-required]
        return connection.scope[_NEW_ID]  # type: ignore[literal-required]

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        if connection.scope.get(_ROTATE):
            if old_id := connection.cookies.get(self.config.key):
                store = self.config.get_store_from_app(connection.scope["app"])
                await self.delete(old_id, store=store)
        elif scope_session is not Empty:
            current = self.serialize_data(scope_session, connection.scope) if scope_session else b""
            loaded = connection.scope.get(_LOADED, b"")
            if current == loaded:
                return
            if loaded and current:
                await self._store_existing(current, message, connection)
                return
        await super().store_in_message(scope_session, message, connection)

    async def _store_existing(
        self, data: bytes, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        """Save a session that existed when the request began only if it still exists: one
        ended meanwhile (signed out everywhere, password changed) must not come back."""
        store = self.config.get_store_from_app(connection.scope["app"])
        assert isinstance(store, DatabaseStore)
        session_id = self.get_session_id(connection)
        max_age = int(self.config.max_age) if self.config.max_age is not None else None
        if not await store.update(session_id, data, expires_in=max_age):
            return
        cookie_params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header()
        )


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = ChangedOnlySessionBackend
