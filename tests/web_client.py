"""A thin wrapper over Litestar's test client that behaves like a person's browser."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from httpx import Response
from litestar.testing import TestClient

T = TypeVar("T")
CSRF_COOKIE = "hub_csrf"
PASSWORD = "correct horse battery"


class Web:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run an async function (an action, a query) on the app's own event loop."""

        async def call() -> T:
            return await fn(*args, **kwargs)

        return self.client.blocking_portal.call(call)

    def csrf_token(self) -> str:
        token = self.client.cookies.get(CSRF_COOKIE)
        if token is None:
            self.client.get("/login")
            token = self.client.cookies.get(CSRF_COOKIE)
        assert token, "no CSRF cookie"
        return token

    def get(self, path: str, *, htmx: bool = False, **kwargs: Any) -> Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(path, headers=headers, follow_redirects=False, **kwargs)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        **kwargs: Any,
    ) -> Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if csrf:
            headers["x-csrftoken"] = self.csrf_token()
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(
            path, data=data or {}, headers=headers, follow_redirects=False, **kwargs
        )

    def sign_in(self, login: str, password: str = PASSWORD) -> Response:
        response = self.post("/login", {"login": login, "password": password})
        assert response.status_code == 303, response.text
        return response

    def sign_out(self) -> None:
        self.post("/logout")


def text_of(response: Response) -> str:
    """The visible text of a page, tags removed, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
