"""Integrations staff, and a real HTTP receiver on 127.0.0.1 that webhooks are POSTed to."""

import pytest
from rest_framework.test import APIClient

from kernel.consumers import Event
from tests.conftest import client_for
from tests.servers import receiving


@pytest.fixture
def integrations_client(make_staff) -> APIClient:
    """Staff in the `Integrations` group, which the kernel's migration creates."""
    return client_for(make_staff("Integrations", first_name="Ida", last_name="Integrations"))


@pytest.fixture
def private_urls_allowed(settings) -> None:
    """The receiver runs on 127.0.0.1, which production refuses."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver(private_urls_allowed):
    with receiving() as receiver:
        yield receiver


def make_event(number: int = 1, type: str = "order.paid") -> Event:
    return Event(
        id=f"evt_{number:024x}",
        type=type,
        created_at="2026-12-02T12:00:00Z",
        data={"id": number, "total": "19.99", "note": "Grüße"},
    )
