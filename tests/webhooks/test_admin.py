"""Staff manage webhooks in the admin too: the same rules as the API (a private address is
refused, the secret is shown once), and each endpoint's page shows its recent deliveries."""

import pytest

from kernel import consumers
from kernel.models import WebhookEndpoint
from kernel.webhooks import services
from kernel.webhooks.consumer import CONSUMER_NAME
from tests.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db

ADD = "/admin/kernel/webhookendpoint/add/"


@pytest.fixture
def admin_client_of_integrations(client, make_staff):
    client.force_login(make_staff("Integrations"))
    return client


def test_an_endpoint_added_in_the_admin_shows_its_secret_once(admin_client_of_integrations):
    response = admin_client_of_integrations.post(
        ADD,
        {"url": "https://93.184.216.34/hooks", "event_types": '["order.paid"]', "is_active": "on"},
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.redirect_chain[0][1] == 302
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    page = admin_client_of_integrations.get(f"/admin/kernel/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in page.content.decode()


@pytest.mark.parametrize(
    ("url", "event_types"),
    [
        ("http://169.254.169.254/latest/", '["*"]'),
        ("http://localhost/hooks", '["*"]'),
        ("ftp://93.184.216.34/hooks", '["*"]'),
        ("https://93.184.216.34/hooks", '["order.exploded"]'),
        ("https://93.184.216.34/hooks", "[]"),
    ],
)
def test_the_admin_refuses_what_the_api_refuses(admin_client_of_integrations, url, event_types):
    response = admin_client_of_integrations.post(ADD, {"url": url, "event_types": event_types})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoints_page_shows_its_recent_deliveries(admin_client_of_integrations):
    endpoint = services.create_endpoint(url="https://93.184.216.34/hooks", event_types=["*"])
    consumers.consume(consumer=CONSUMER_NAME, event=make_event(7, "product.created"))

    page = admin_client_of_integrations.get(f"/admin/kernel/webhookendpoint/{endpoint.pk}/change/")
    log = admin_client_of_integrations.get(
        "/admin/kernel/webhookdelivery/", {"status__exact": "pending"}
    )

    assert make_event(7).id in page.content.decode()
    assert "product.created" in page.content.decode()
    assert make_event(7).id in log.content.decode()
