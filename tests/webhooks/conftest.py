from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def endpoint_for(admin_user):
    """Register an endpoint for a receiver through the service; the receiver learns the
    secret, as a real one would be told it once."""
    from webhooks import services
    from webhooks.models import EventType

    def make(receiver: Receiver, *, types=None, path: str = "/hooks"):
        endpoint, secret = services.register_endpoint(
            by=admin_user, url=receiver.url(path), event_types=types or EventType.values
        )
        receiver.secrets.append(secret)
        return endpoint

    return make
