"""Accounts: people, sign-in, sessions, passwords, profiles."""

from __future__ import annotations

from hub.area import Area

AREA = Area(name="accounts", routes=("hub.accounts.routes:router",))
