import itertools

import pytest

from connector.models import OutboxMessage, PlatformConnection

_numbers = itertools.count(1)


@pytest.fixture
def platform(db):
    """The active 12345 platform connection (its address is set by the tests that send)."""
    return PlatformConnection.objects.create(
        name="市12345平台", is_active=True, endpoint_url="http://127.0.0.1:9/", secret="s3cret", timeout_seconds=0.5
    )


@pytest.fixture
def from_platform():
    """Fields of an order pushed by the platform (it carries the platform's number)."""

    def make() -> dict:
        return {"platform_number": f"12345-{next(_numbers):06d}"}

    return make


def steps(order) -> list[str]:
    messages = OutboxMessage.objects.filter(order=order, connection__isnull=False).order_by("sequence")
    return list(messages.values_list("kind", flat=True))


@pytest.fixture
def api():
    """`api(user)`: a REST client authenticated as `user` (anonymous with None)."""
    from rest_framework.test import APIClient

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
