"""The checkout's domain errors, each with a stable `code`."""

from collections.abc import Iterable

from kernel.exceptions import Conflict, DomainError, FieldError, NotFound


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


class CartNotFound(NotFound, CheckoutError):
    """No such cart, or another user's: the two are the same answer, so a cart's id never
    tells whose it is."""

    default_detail = "No such cart."


class CartLineNotFound(NotFound, CheckoutError):
    default_detail = "No such line in this cart."


class ProductUnavailable(CheckoutError):
    """An unknown or inactive product or an unknown variant: the same 400 as an order's
    `product_unavailable`, naming them the same way."""

    code = "product_unavailable"

    def __init__(self, *, product_ids: Iterable[int] = (), variant_ids: Iterable[int] = ()):
        product_ids, variant_ids = sorted(product_ids), sorted(variant_ids)
        named = [*map(str, product_ids)] + [f"variant {variant_id}" for variant_id in variant_ids]
        super().__init__(
            "Unknown or inactive product(s): " + ", ".join(named),
            unavailable_product_ids=product_ids,
            unavailable_variant_ids=variant_ids,
        )


class ShippingMethodUnavailable(CheckoutError):
    """A code no active shipping method has, or one that does not ship to the cart's
    country."""

    code = "shipping_method_unavailable"
    default_detail = "No active shipping method with this code ships to the cart's address."


class VoucherInvalid(CheckoutError):
    """A voucher that may not be used now; the detail says why (`pricing.VoucherProblem`)."""

    code = "voucher_invalid"


class CartIncomplete(CheckoutError):
    """A cart that cannot be checked out yet; `missing` names what it lacks, among `lines`,
    `email` (a guest cart), `shipping_address` and `shipping_method` (when one ships there)."""

    code = "cart_incomplete"

    def __init__(self, *, missing: Iterable[str]):
        missing = list(missing)
        super().__init__(
            "The cart cannot be checked out yet: " + ", ".join(missing), missing=missing
        )


class VoucherUsedUp(Conflict, CheckoutError):
    """At checkout, the cart's voucher may no longer be used (used up meanwhile, by every
    checkout or by this email, or no longer valid): 409 `voucher_invalid`, nothing changed."""

    code = "voucher_invalid"
