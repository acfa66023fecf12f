"""The orders app's event consumers (`kernel.consumers`): the customer's emails about an order.

An email tells the order as its event reports it — the data is the order as staff read it at
that moment (number, lines, totals, address, carrier and tracking number, cancellation reason,
history) — so an email delivered late still describes the change it is about, not whatever the
order became since; only the customer is read now, from accounts. The email goes to the
order's `email` (events recorded before orders kept one: the customer's). The worker sends
it: consuming the event twice sends one email, and a mail server that refuses leaves the event
unconsumed, to be sent on the task's retry.
"""

import logging
from datetime import datetime

from django.utils.dateparse import parse_datetime

from accounts import services as accounts
from kernel import address
from kernel.consumers import Event, consumer
from kernel.email import send_templated_email
from orders.models import CancellationReason, OrderStatus

logger = logging.getLogger(__name__)

TEMPLATES = {
    "order.placed": "orders/email/order_placed",
    "order.shipped": "orders/email/order_shipped",
    "order.cancelled": "orders/email/order_cancelled",
}
EXPIRED_TEMPLATE = "orders/email/order_expired"


@consumer(name="orders.emails", event_types=sorted(TEMPLATES))
def email_the_customer(event: Event) -> None:
    """Email the customer that their order was placed, shipped, cancelled or expired."""
    template = TEMPLATES.get(event.type)
    if template is None:
        return
    order = event.data
    if order["cancellation_reason"] == CancellationReason.EXPIRED:
        template = EXPIRED_TEMPLATE
    # A guest order has no customer: its emails go to the order's email, greeting nobody.
    customer = None
    if order["customer_id"] is not None:
        customer = accounts.get_user(user_id=order["customer_id"])
        if customer is None or not customer.email:
            logger.info(
                "Order %s has no customer to email; no %s email.", order["number"], event.type
            )
            return
    shipping_address = order["shipping_address"]
    send_templated_email(
        template=template,
        context={
            "order": order,
            "user": customer,
            "address_lines": address.postal_lines(shipping_address) if shipping_address else [],
            "placed_at": parse_datetime(order["created_at"]),
            # A pending order's (the one just placed): when it must be paid by.
            "expires_at": _time(order["expires_at"]),
            "happened_at": parse_datetime(event.created_at),
            "by_customer": order["cancellation_reason"] == CancellationReason.CUSTOMER,
            "was_paid": any(entry["status"] == OrderStatus.PAID for entry in order["events"]),
        },
        to=[order.get("email") or customer.email],
    )


def _time(value: str | None) -> datetime | None:
    """An event's ISO 8601 time (UTC), aware; the template shows it in the shop's time zone."""
    return None if value is None else parse_datetime(value)
