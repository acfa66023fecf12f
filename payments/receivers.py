"""Receivers of the signals of the apps below payments; each only calls payments' services."""

from payments import services


def refund_cancelled_order(sender, *, order_id: int, **kwargs) -> None:
    """A cancelled order never keeps money: refund it inside the cancelling transaction."""
    services.refund_for_cancelled_order(order_id=order_id)
