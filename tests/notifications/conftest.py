from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.notifications import endpoints
from tests.notifications.push_service import PushService

# Names the tests resolve, whatever the machine's DNS says (CI has none).
DNS = {
    "push.example.net": {"93.184.215.14"},
    "updates.push.example.org": {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
    "rebound.example.net": {"93.184.215.14", "10.1.2.3"},
    "inside.example.net": {"192.168.1.20"},
    "localhost": {"127.0.0.1", "::1"},
}


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Host names resolve from DNS (others not at all) when a subscription is checked."""

    async def addresses_of(host: str) -> set[str]:
        return set(DNS.get(host, set()))

    monkeypatch.setattr(endpoints, "addresses_of", addresses_of)
    return DNS


@pytest.fixture(scope="session")
def push_service() -> Iterator[PushService]:
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def service(push_service: PushService) -> Iterator[PushService]:
    """The push service, with nothing refused so far; a test that made it refuse a request
    (a bad JWT, a body it could not decrypt) fails here. Faults it was given end with the test."""
    before = len(push_service.rejected)
    yield push_service
    push_service.reset()
    assert push_service.rejected[before:] == []
