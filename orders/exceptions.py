"""The orders app's domain errors, each with a stable `code`."""

from kernel.exceptions import Conflict, DomainError, FieldError, NotFound


class OrdersError(DomainError):
    code = "orders_error"


class OrderNotFound(NotFound, OrdersError):
    default_detail = "No such order."


class InvalidTransition(Conflict, OrdersError):
    code = "invalid_transition"
    default_detail = "The order cannot move to that status from its current one."


class OrderNotPayable(Conflict, OrdersError):
    code = "order_not_payable"
    default_detail = "Only a pending order can be paid."


class ShippingAddressMissing(Conflict, OrdersError):
    code = "shipping_address_missing"
    default_detail = "The order has no shipping address, so it cannot be shipped."


class InvalidOrder(FieldError, OrdersError):
    """An order that cannot be placed as asked (rendered as `{field: [message]}`, 400)."""


class PriceChanged(Conflict, OrdersError):
    """A variant's price at the reservation is not the one its caller showed (`variant_ids`)."""

    code = "price_changed"
    default_detail = "A price changed since it was shown; nothing was reserved."
