"""A thin wrapper over Litestar's test client that behaves like a person's browser."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from httpx import Cookies, Response
from litestar import Litestar
from litestar.testing import TestClient

T = TypeVar("T")
CSRF_COOKIE = "hub_csrf"
PASSWORD = "correct horse battery"


@cache
def shared_app() -> Litestar:
    """The app every test client of this process serves: building one takes a few tenths of a
    second, and nothing in it belongs to one test (tests/conftest.py empties its rate limits)."""
    from hub.app import create_app

    return create_app()


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


class Device(Web):
    """Another person's browser on the same test client: cookies of its own, the same app and
    event loop (a second test client would start a second loop, which a PostgreSQL pool opened
    in the first cannot serve)."""

    def __init__(self, client: TestClient) -> None:
        super().__init__(client)
        self.cookies = Cookies()

    @contextmanager
    def _own_cookies(self) -> Iterator[None]:
        shared = self.client.cookies
        self.client.cookies = self.cookies
        try:
            yield
        finally:
            self.cookies = self.client.cookies
            self.client.cookies = shared

    def get(self, path: str, *, htmx: bool = False, **kwargs: Any) -> Response:
        with self._own_cookies():
            return super().get(path, htmx=htmx, **kwargs)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        **kwargs: Any,
    ) -> Response:
        with self._own_cookies():
            return super().post(path, data, htmx=htmx, csrf=csrf, **kwargs)


def text_of(response: Response) -> str:
    """The visible text of a page, tags removed, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
