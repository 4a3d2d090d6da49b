"""What the database layer raises when the database cannot serve a request now."""

from __future__ import annotations


class DatabaseUnavailable(Exception):
    """No connection in time, or the connection was lost: answer 503 and let the person retry.

    Raised instead of waiting for ever. A transaction that meets it wrote nothing: either it
    never began, or the server rolled it back with the lost connection.
    """


class ConnectionLost(DatabaseUnavailable):
    """The connection died under a statement (the server restarted or ended it)."""
