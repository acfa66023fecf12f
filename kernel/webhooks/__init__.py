"""Outgoing webhooks: the outbox's second transport, to integrators' URLs over HTTP.

They know the event envelope (`kernel.consumers.Event`) and nothing of any domain. The consumer
`webhooks` (`consumer.py`) writes one `WebhookDelivery` per active endpoint subscribed to the
event's type, and asks for its delivery once that commits; beat's sweep
(`kernel.dispatch_webhooks`) asks again for every due one, so nothing depends on a task message
surviving. A delivery (`services.deliver`) claims its row, commits, and only then POSTs
(`transport.py`), never inside a transaction; the outcome is recorded afterwards, a failure
retried with exponential backoff. Endpoint URLs are checked against private addresses when they
are saved and again at each delivery (`addresses.py`), and the connection goes to the address
that was checked.
"""
