"""The payments app's event consumers (`kernel.consumers`): the customer's email about a refund.

The event is the payment after the refund (how much is refunded in all, and whether that is all
of it); the refund's own amount comes from the payment's refunds, the order's number from
orders, the customer's address from accounts. Consuming the event twice sends one email; a mail
server that refuses leaves it unconsumed, to be sent on the task's retry.
"""

import logging
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from accounts import services as accounts
from kernel.consumers import Event, consumer
from kernel.email import send_templated_email
from kernel.money import format_money
from orders import services as orders
from payments import selectors
from payments.models import PaymentStatus

logger = logging.getLogger(__name__)

REFUNDED = "payment.refunded"


@consumer(name="payments.emails", event_types=[REFUNDED])
def email_the_refund(event: Event) -> None:
    """Email the customer the refund a `payment.refunded` event reports: partial or in full."""
    if event.type != REFUNDED:
        return
    payment = event.data
    refund = selectors.refund_reported(
        payment_id=payment["id"], refunded_amount=Decimal(payment["refunded_amount"])
    )
    customer, to = None, None
    if refund.payment.customer_id is None:
        # A guest order's payment: the email goes to the order's email.
        to = orders.get_order_email(order_id=payment["order_id"])
    else:
        customer = accounts.get_user(user_id=refund.payment.customer_id)
        to = None if customer is None else customer.email
    if not to:
        logger.info("Payment %s has no customer to email; no refund email.", payment["id"])
        return
    send_templated_email(
        template="payments/email/refund_issued",
        context={
            "user": customer,
            "payment": payment,
            "order_number": orders.get_order_summary(order_id=payment["order_id"]).number,
            "amount": format_money(refund.amount),
            "currency": refund.currency,
            "in_full": payment["status"] == PaymentStatus.REFUNDED,
            "happened_at": parse_datetime(event.created_at),
        },
        to=[to],
    )
