from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Bytea,
    ForeignKey,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="hub_user"):
    id: Serial
    display_name = Varchar(length=80)
    email = Varchar(length=254, null=True, default=None, unique=True)
    phone = Varchar(length=20, null=True, default=None, unique=True)
    password_hash = Varchar(length=255)
    language = Varchar(length=8, default="")
    large_text = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class UserSkill(Table, tablename="hub_user_skill"):
    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    skill = Varchar(length=20)


class SessionRecord(Table, tablename="hub_session"):
    """Server-side session data, kept in the database so every process and host shares it."""

    id: Serial
    key = Varchar(length=128, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)
    # Whose session it is (none before sign-in), so that all of a person's sessions can be ended.
    user = ForeignKey(
        references=User, on_delete=OnDelete.cascade, null=True, default=None, index=True
    )


class AttemptLog(Table, tablename="hub_attempt_log"):
    """The times of the latest sign-in and join attempts from one client address, kept in the
    database so that every process and host shares them."""

    id: Serial
    address = Varchar(length=100, unique=True)
    times = Text(default="[]")  # a JSON list of seconds since the epoch, oldest first
    updated_at = Timestamptz(index=True)
