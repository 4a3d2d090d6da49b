from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notifications.push_service import PushService


@pytest.fixture(scope="session")
def push_service() -> Iterator[PushService]:
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def service(push_service: PushService) -> Iterator[PushService]:
    """The push service, with nothing refused so far; a test that made it refuse a request
    (a bad JWT, a body it could not decrypt) fails here."""
    before = len(push_service.rejected)
    yield push_service
    assert push_service.rejected[before:] == []
