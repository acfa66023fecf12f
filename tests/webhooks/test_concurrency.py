"""Workers racing for the same delivery (the task sent after the commit and the sweep's, twice)
POST it once: each attempt claims its row first, and only one claim wins."""

import pytest

from kernel import consumers, tasks
from kernel.models import WebhookDelivery
from kernel.webhooks import services
from kernel.webhooks.consumer import CONSUMER_NAME
from tests.concurrency import run_concurrently
from tests.webhooks.conftest import make_event

WORKERS = 8


@pytest.mark.postgres("SQLite serialises all writers, so there is no race to observe")
@pytest.mark.django_db(transaction=True)
def test_eight_workers_racing_for_one_delivery_post_it_once(receiver):
    receiver.delay = 0.2  # the POST overlaps the others' claims
    services.create_endpoint(url=receiver.url, event_types=["*"])
    consumers.consume(consumer=CONSUMER_NAME, event=make_event())
    delivery = WebhookDelivery.objects.get()

    outcomes = run_concurrently(*[lambda: tasks.deliver_webhook(delivery.pk)] * WORKERS)

    assert (outcomes.count("delivered"), outcomes.count(None)) == (1, WORKERS - 1)
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
