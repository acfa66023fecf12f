"""The consumer `webhooks`: every event, whatever its type, becomes the deliveries it needs.

`kernel.apps.KernelConfig.ready` imports this module (the consumers' autodiscovery imports
`<app>.consumers`, which for the kernel is the registry itself).
"""

from kernel.consumers import Event, consumer
from kernel.webhooks import services

CONSUMER_NAME = "webhooks"


@consumer(name=CONSUMER_NAME, event_types=["#"])
def record_webhook_deliveries(event: Event) -> None:
    services.record_deliveries(event=event)
