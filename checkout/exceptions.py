"""The checkout's domain errors, each with a stable `code`."""

from kernel.exceptions import DomainError, FieldError, NotFound


class CheckoutError(DomainError):
    code = "checkout_error"


class ShippingMethodNotFound(NotFound, CheckoutError):
    default_detail = "No such shipping method."


class TaxRateNotFound(NotFound, CheckoutError):
    default_detail = "No tax rate is set for this country."


class VoucherNotFound(NotFound, CheckoutError):
    default_detail = "No such voucher."


class DuplicateValue(FieldError, CheckoutError):
    """A unique field (a code, a country) that another row already has."""

    code = "unique"


class InvalidValue(FieldError, CheckoutError):
    """A value that breaks one of the checkout's rules (a negative price, a rate of 1 or
    more, a voucher that ends before it starts)."""

    code = "invalid"
