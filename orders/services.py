"""The orders app's public interface: placing orders and moving them through their statuses.

Every status change goes through `_transition`, which checks the one table `TRANSITIONS`, locks
the order row and records an `OrderEvent`. A pending order takes money until its `expires_at`;
`expire_overdue_orders` (run by the scheduler, `orders.tasks`) then cancels it. Other apps call
these functions and receive DTOs (`orders.dtos`) or domain errors (`orders.exceptions`); they
never see a model.
"""

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from accounts import services as accounts
from catalog import services as catalog
from catalog.dtos import StockLine, VariantSnapshot
from catalog.exceptions import InvalidStockLines
from kernel import address
from kernel.dtos import from_fields
from kernel.ids import is_id
from kernel.money import CENT, DECIMAL_PLACES, MAX_DIGITS, quantize, shop_currency
from kernel.outbox import record_event
from orders import keys, numbers, selectors
from orders.dtos import OrderItem, OrderPricing, OrderSummary, PaymentDue, ShippingMethodSnapshot
from orders.events import order_cancelled
from orders.exceptions import (
    InvalidOrder,
    InvalidTransition,
    OrderNotFound,
    OrderNotPayable,
    PriceChanged,
    ShippingAddressMissing,
)
from orders.models import CancellationReason, Order, OrderEvent, OrderLine, OrderStatus

logger = logging.getLogger(__name__)

MAX_LINES = 50
MAX_QUANTITY = 1000
MAX_UNITS = 1000
MAX_AMOUNT = Decimal(10 ** (MAX_DIGITS - DECIMAL_PLACES)) - CENT
CARRIER_MAX_LENGTH = Order._meta.get_field("carrier").max_length
TRACKING_NUMBER_MAX_LENGTH = Order._meta.get_field("tracking_number").max_length
NOTE_MAX_LENGTH = OrderEvent._meta.get_field("note").max_length
EMAIL_MAX_LENGTH = Order._meta.get_field("email").max_length
SHIPPING_METHOD_CODE_MAX_LENGTH = Order._meta.get_field("shipping_method_code").max_length
SHIPPING_METHOD_NAME_MAX_LENGTH = Order._meta.get_field("shipping_method_name").max_length
VOUCHER_CODE_MAX_LENGTH = Order._meta.get_field("voucher_code").max_length
ZERO = Decimal("0.00")
_NUMBER_ATTEMPTS = 5
EXPIRED_NOTE = "Expired: not paid within the payment window."

TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.REFUNDED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.REFUNDED}),
}


# The event each status reports (kernel.outbox). `refunded` reports none of its own: the
# contract names no `order.refunded`, and the refund that makes it is `payment.refunded`.
EVENT_TYPES: dict[str, str] = {
    OrderStatus.PENDING: "order.placed",
    OrderStatus.PAID: "order.paid",
    OrderStatus.SHIPPED: "order.shipped",
    OrderStatus.DELIVERED: "order.delivered",
    OrderStatus.CANCELLED: "order.cancelled",
}


def allowed_transitions(status: str) -> frozenset[str]:
    """The statuses an order in `status` may move to."""
    return TRANSITIONS.get(status, frozenset())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validated_items(items: Sequence[OrderItem]) -> list[OrderItem]:
    lines = list(items)
    if not lines:
        raise InvalidOrder("items", "An order needs at least one item.")
    if len(lines) > MAX_LINES:
        raise InvalidOrder("items", f"An order may have at most {MAX_LINES} items.")
    seen: set[tuple[str, int]] = set()
    for line in lines:
        if not isinstance(line, OrderItem):
            raise InvalidOrder("items", "Each item is an OrderItem.")
        named = [
            (kind, value)
            for kind, value in (("variant", line.variant_id), ("product", line.product_id))
            if value is not None
        ]
        if len(named) != 1:
            raise InvalidOrder("items", "Each item names a variant_id or a product_id.")
        [(kind, value)] = named
        if not is_id(value):
            raise InvalidOrder("items", f"Invalid {kind} id: {value!r}.")
        if not _is_int(line.quantity) or not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidOrder("items", f"Each quantity must be between 1 and {MAX_QUANTITY}.")
        if (kind, value) in seen:
            raise InvalidOrder("items", f"{kind.capitalize()} {value} appears more than once.")
        seen.add((kind, value))
    if sum(line.quantity for line in lines) > MAX_UNITS:
        raise InvalidOrder("items", f"An order may have at most {MAX_UNITS} units in all.")
    return lines


def _create_with_unique_number(order: Order) -> None:
    """Insert `order` under a fresh number, drawing another one if it is already taken."""
    for _ in range(_NUMBER_ATTEMPTS):
        order.number = numbers.generate_order_number()
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:
            if not Order.objects.filter(number=order.number).exists():
                raise
        else:
            return
    raise IntegrityError("Could not draw an unused order number.")


def _order_email(email: str | None, customer_id: int | None) -> str:
    """`email` checked and lower-cased as accounts keeps emails; else the customer's (a guest
    order has no customer: its email is required)."""
    if email is None and customer_id is None:
        raise InvalidOrder("email", "A guest order needs an email.")
    if email is None:
        customer = accounts.get_user(user_id=customer_id)
        if customer is None:
            raise InvalidOrder("customer_id", "No such customer.")
        return customer.email
    if not isinstance(email, str):
        raise InvalidOrder("email", "Must be a string.")
    email = email.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidOrder("email", f"At most {EMAIL_MAX_LENGTH} characters.")
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidOrder("email", "Enter a valid email address.") from error
    return email


def _is_money(amount: object) -> bool:
    """A `Decimal` in whole cents from 0 to `MAX_AMOUNT`."""
    return (
        isinstance(amount, Decimal)
        and amount.is_finite()
        and ZERO <= amount <= MAX_AMOUNT
        and amount == amount.quantize(CENT)
    )


def _is_text(value: object, max_length: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= max_length


def _checked_pricing(pricing: OrderPricing, *, has_address: bool) -> None:
    """Refuse (`InvalidOrder` on `pricing`) totals that are not money, that do not add up, or
    that charge shipping or tax without an address, or a discount without a voucher."""
    if not isinstance(pricing, OrderPricing):
        raise InvalidOrder("pricing", "Must be an OrderPricing.")
    amounts = ("subtotal", "discount_total", "shipping_total", "tax_total", "total")
    for name in amounts:
        if not _is_money(getattr(pricing, name)):
            raise InvalidOrder("pricing", f"{name} must be an amount from 0.00 to {MAX_AMOUNT}.")
    if pricing.discount_total > pricing.subtotal:
        raise InvalidOrder("pricing", "The discount may not exceed the subtotal.")
    expected_total = (
        pricing.subtotal - pricing.discount_total + pricing.shipping_total + pricing.tax_total
    )
    if pricing.total != expected_total:
        raise InvalidOrder(
            "pricing",
            f"The total {pricing.total} is not subtotal − discount + shipping + tax "
            f"({expected_total}).",
        )
    voucher_code = pricing.voucher_code
    if voucher_code is not None and not _is_text(voucher_code, VOUCHER_CODE_MAX_LENGTH):
        raise InvalidOrder("pricing", f"voucher_code: 1 to {VOUCHER_CODE_MAX_LENGTH} characters.")
    if pricing.discount_total and voucher_code is None:
        raise InvalidOrder("pricing", "A discount needs its voucher_code.")
    method = pricing.shipping_method
    if method is None:
        if pricing.shipping_total:
            raise InvalidOrder("pricing", "Shipping is charged only with a shipping method.")
    else:
        _checked_shipping_method(method, shipping_total=pricing.shipping_total)
    if not has_address and (method is not None or pricing.tax_total):
        raise InvalidOrder("pricing", "Without a shipping address there is no shipping or tax.")


def _checked_shipping_method(method: ShippingMethodSnapshot, *, shipping_total: Decimal) -> None:
    if not isinstance(method, ShippingMethodSnapshot):
        raise InvalidOrder("pricing", "shipping_method must be a ShippingMethodSnapshot.")
    if not _is_text(method.code, SHIPPING_METHOD_CODE_MAX_LENGTH):
        raise InvalidOrder(
            "pricing",
            f"The shipping method's code: 1 to {SHIPPING_METHOD_CODE_MAX_LENGTH} characters.",
        )
    if not _is_text(method.name, SHIPPING_METHOD_NAME_MAX_LENGTH):
        raise InvalidOrder(
            "pricing",
            f"The shipping method's name: 1 to {SHIPPING_METHOD_NAME_MAX_LENGTH} characters.",
        )
    if method.price != shipping_total:
        raise InvalidOrder("pricing", "shipping_total must be the shipping method's price.")


def _checked_unit_prices(prices: Mapping[int, Decimal]) -> dict[int, Decimal]:
    if not isinstance(prices, Mapping) or not all(
        is_id(variant_id) and _is_money(price) for variant_id, price in prices.items()
    ):
        raise InvalidOrder("expected_unit_prices", "Must map variant ids to amounts.")
    return dict(prices)


def _check_unit_prices(
    expected: Mapping[int, Decimal], variants: Sequence[VariantSnapshot]
) -> None:
    """`PriceChanged` naming the reserved variants whose price is not the `expected` one."""
    if set(expected) != {variant.id for variant in variants}:
        raise InvalidOrder(
            "expected_unit_prices", "Name the price of every variant ordered, and only those."
        )
    changed = sorted(variant.id for variant in variants if variant.price != expected[variant.id])
    if changed:
        raise PriceChanged(
            "The price of " + ", ".join(f"variant {id_}" for id_ in changed) + " has changed; "
            "nothing was reserved.",
            variant_ids=changed,
        )


@transaction.atomic
def place_order(
    *,
    customer_id: int | None,
    items: Sequence[OrderItem],
    shipping_address: dict | None = None,
    email: str | None = None,
    pricing: OrderPricing | None = None,
    expected_unit_prices: Mapping[int, Decimal] | None = None,
) -> OrderSummary:
    """Reserve stock for every item and record the pending order, or nothing.

    A line copies what the customer saw: its variant's sku, name and price, its product's name.
    The same variant named twice (by its id and by its one-variant product's) is refused.

    `customer_id` None places a guest order: it needs an `email`, and the answer's `order_key`
    is its key (`Order-Key`), which is stored only hashed and so is never available again.

    `email` is where the order's emails go (default: the customer's). Orders computes the
    subtotal from the prices it reserves at; `pricing` (default: no discount, shipping or tax)
    is the caller's totals, which must be made from those same prices: its `subtotal` must be
    the order's (else `InvalidOrder`). A caller that showed prices passes them as
    `expected_unit_prices` (every ordered variant's id → its unit price), so that a price that
    changed between its read and the reservation is `PriceChanged` (409 `price_changed`, naming
    the variants) rather than an order at prices nobody saw. Any refusal reserves nothing.
    """
    lines = _validated_items(items)
    if shipping_address is not None and not isinstance(shipping_address, dict):
        raise InvalidOrder("shipping_address", "Must be an object or null.")
    if pricing is not None:
        _checked_pricing(pricing, has_address=shipping_address is not None)
    if expected_unit_prices is not None:
        expected_unit_prices = _checked_unit_prices(expected_unit_prices)
    email = _order_email(email, customer_id)
    try:
        variants = catalog.reserve_stock(
            lines=[
                StockLine(
                    quantity=line.quantity, variant_id=line.variant_id, product_id=line.product_id
                )
                for line in lines
            ]
        )
    except InvalidStockLines as error:
        # Only the catalog knows a product's one variant: named by both ids, it is repeated.
        raise InvalidOrder("items", error.detail) from error
    if expected_unit_prices is not None:
        _check_unit_prices(expected_unit_prices, variants)

    order_lines = []
    for variant, line in zip(variants, lines, strict=True):
        order_lines.append(
            OrderLine(
                product_id=variant.product_id,
                variant_id=variant.id,
                sku=variant.sku,
                name=variant.product_name,
                variant_name=variant.name,
                unit_price=variant.price,
                quantity=line.quantity,
                line_total=quantize(variant.price * line.quantity),
            )
        )
    subtotal = sum((line.line_total for line in order_lines), start=ZERO)
    if subtotal > MAX_AMOUNT:
        raise InvalidOrder("items", f"An order may total at most {MAX_AMOUNT}.")
    if pricing is None:
        pricing = OrderPricing(
            subtotal=subtotal,
            discount_total=ZERO,
            shipping_total=ZERO,
            tax_total=ZERO,
            total=subtotal,
        )
    elif pricing.subtotal != subtotal:
        raise InvalidOrder(
            "pricing",
            f"The subtotal {pricing.subtotal} is not the order's {subtotal} at today's prices.",
        )
    method = pricing.shipping_method

    order_key, key_hash = keys.new_key() if customer_id is None else (None, None)
    placed_at = timezone.now()
    order = Order(
        customer_id=customer_id,
        key_hash=key_hash,
        email=email,
        status=OrderStatus.PENDING,
        created_at=placed_at,
        expires_at=placed_at + timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS),
        subtotal=subtotal,
        discount_total=pricing.discount_total,
        shipping_total=pricing.shipping_total,
        tax_total=pricing.tax_total,
        total=pricing.total,
        currency=shop_currency(),
        shipping_address=shipping_address,
        shipping_method_code=None if method is None else method.code,
        shipping_method_name=None if method is None else method.name,
        shipping_method_price=None if method is None else method.price,
        voucher_code=pricing.voucher_code,
    )
    _create_with_unique_number(order)
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    event = OrderEvent.objects.create(order=order, status=OrderStatus.PENDING, note="Order placed.")
    _record_event(
        order,
        lines=[_row(line, selectors.LINE_FIELDS) for line in order_lines],
        events=[_row(event, selectors.EVENT_FIELDS)],
    )
    return from_fields(OrderSummary, order, order_key=order_key)


def _record_event(order: Order, *, lines: Iterable[Mapping], events: Iterable[Mapping]) -> None:
    """Record the event of the status `order` just reached (`EVENT_TYPES`), its data the order
    as staff read it: `order_json` of its row, line rows and event rows, times in UTC."""
    # Imported here: the serializers import this module for its limits.
    from orders.serializers import order_json

    data = order_json(_row(order, selectors.ORDER_FIELDS), lines, events, zone=UTC)
    record_event(type=EVENT_TYPES[order.status], data=data)


def _row(instance: object, fields: Iterable[str]) -> dict:
    """A model instance in hand as the row `orders.selectors` would read (no query)."""
    return {field: getattr(instance, field) for field in fields}


def _locked(queryset: QuerySet[Order]) -> Order:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("Lock an order only inside transaction.atomic().")
    order = queryset.select_for_update().first()
    if order is None:
        raise OrderNotFound()
    return order


def _transition(
    *,
    order_id: int,
    to: str,
    note: str,
    check: Callable[[Order], None] | None = None,
    **changes: str,
) -> Order:
    """Lock the order, move it to `to` if `TRANSITIONS` allows it (and `check`, given the locked
    order, raises nothing), and record the event."""
    order = _locked(Order.objects.filter(pk=order_id))
    if to not in allowed_transitions(order.status):
        raise InvalidTransition(
            f"A {order.status} order cannot become {to}.",
            current_status=order.status,
            requested_status=to,
        )
    if check is not None:
        check(order)
    order.status = to
    for field, value in changes.items():
        setattr(order, field, value)
    order.save(update_fields=["status", *changes, "updated_at"])
    OrderEvent.objects.create(order=order, status=to, note=_checked_note(note))
    if to in EVENT_TYPES:
        lines, events = selectors.lines_and_events(order_ids=[order.pk])
        _record_event(order, lines=lines[order.pk], events=events[order.pk])
    return order


def _checked_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidOrder("note", f"At most {NOTE_MAX_LENGTH} characters.")
    return note


def _payment_due(order: Order) -> PaymentDue:
    return from_fields(
        PaymentDue, order, order_id=order.pk, order_number=order.number, amount=order.total
    )


def lock_order_for_payment(
    *, order_id: int, customer_id: int | None, order_key: str | None = None
) -> PaymentDue:
    """Lock a pending order of this customer until the caller's transaction ends; one past its
    `expires_at` takes no money, even before the expiry sweep has cancelled it.

    `customer_id` None: a guest order, and `order_key`, when given, must be its key (a guest
    paying presents it; settling a guest payment already opened does not). `OrderNotFound`
    otherwise, as for another customer's order.
    """
    order = _locked(Order.objects.filter(pk=order_id, customer_id=customer_id))
    if order_key is not None and not keys.key_opens(key=order_key, stored_hash=order.key_hash):
        raise OrderNotFound()
    if order.status != OrderStatus.PENDING:
        raise OrderNotPayable(current_status=order.status)
    if order.expires_at <= timezone.now():
        raise OrderNotPayable(
            "The order was not paid in time: it expired.", current_status=order.status
        )
    return _payment_due(order)


def lock_order(*, order_id: int) -> None:
    """Lock the order, whatever its status, until the caller's transaction ends."""
    _locked(Order.objects.filter(pk=order_id))


def get_order_customer_id(*, order_id: int) -> int | None:
    """The id of the customer who placed the order; None for a guest order."""
    row = Order.objects.filter(pk=order_id).values_list("customer_id").first()
    if row is None:
        raise OrderNotFound()
    return row[0]


def get_order_email(*, order_id: int) -> str:
    """Where the order's emails go (a guest order's only address)."""
    email = Order.objects.filter(pk=order_id).values_list("email", flat=True).first()
    if email is None:
        raise OrderNotFound()
    return email


def order_key_matches(*, order_id: int, key: str | None) -> bool:
    """Whether `key` is the guest order's key (`Order-Key`); False for a missing order, a
    customer's order or a wrong key alike, compared in constant time (`orders.keys`)."""
    stored_hash = Order.objects.filter(pk=order_id).values_list("key_hash", flat=True).first()
    return keys.key_opens(key=key, stored_hash=stored_hash)


def get_order_summary(*, order_id: int) -> OrderSummary:
    """The order's number, status, total and currency as they are now (never its key)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return from_fields(OrderSummary, order, order_key=None)


def get_order_json(*, order_id: int) -> dict:
    """The order as `GET orders/{id}/` shows it (`orders.serializers.order_json`, in the
    current time zone): what the checkout answers with, whose API may not import orders'
    serializers."""
    from orders.serializers import order_json

    order = Order.objects.filter(pk=order_id).values(*selectors.ORDER_FIELDS).first()
    if order is None:
        raise OrderNotFound()
    lines, events = selectors.lines_and_events(order_ids=[order_id])
    return order_json(order, lines[order_id], events[order_id])


@transaction.atomic
def mark_paid(*, order_id: int, note: str = "") -> None:
    """pending → paid."""
    _transition(order_id=order_id, to=OrderStatus.PAID, note=note or "Payment received.")


@transaction.atomic
def cancel_order(*, order_id: int, actor_id: int | None, note: str = "") -> None:
    """pending | paid → cancelled by its customer or by staff: the stock comes back and
    `order_cancelled` is sent.

    `actor_id` None is a guest holding the order's key (the caller checked it): cancelled by
    the customer, and only while pending (`InvalidTransition` otherwise; a paid guest order
    is the shop's to cancel and refund).
    """
    if actor_id is None:
        _cancel(
            order_id=order_id,
            reason=CancellationReason.CUSTOMER,
            note=note or "Cancelled by the customer.",
            check=_pending_guest_order,
        )
        return
    by_customer = actor_id == get_order_customer_id(order_id=order_id)
    _cancel(
        order_id=order_id,
        reason=CancellationReason.CUSTOMER if by_customer else CancellationReason.STAFF,
        note=note or ("Cancelled by the customer." if by_customer else "Cancelled by the shop."),
    )


def _pending_guest_order(order: Order) -> None:
    if order.customer_id is not None:
        raise OrderNotFound()
    if order.status != OrderStatus.PENDING:
        raise InvalidTransition(
            "A guest may cancel only a pending order.",
            current_status=order.status,
            requested_status=OrderStatus.CANCELLED,
        )


def _cancel(
    *, order_id: int, reason: str, note: str, check: Callable[[Order], None] | None = None
) -> None:
    _transition(
        order_id=order_id,
        to=OrderStatus.CANCELLED,
        note=note,
        check=check,
        cancellation_reason=reason,
    )
    _release_stock(order_id)
    order_cancelled.send(sender=Order, order_id=order_id)


def expire_overdue_orders(*, now: datetime | None = None) -> int:
    """Cancel every pending order whose `expires_at` has passed, each in its own transaction;
    how many were cancelled.

    An order another transaction holds (being paid or cancelled right now) is skipped rather
    than waited for, and left to the next run; under the lock the order is checked again, so a
    payment that committed first wins. One order failing is logged and does not stop the rest.
    """
    now = now or timezone.now()
    due = list(
        Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for order_id in due:
        try:
            if _expire(order_id=order_id, now=now):
                expired += 1
        except Exception:
            logger.exception("Expiring order %s failed; the next run tries again.", order_id)
    return expired


@transaction.atomic
def _expire(*, order_id: int, now: datetime) -> bool:
    """Cancel this order as expired if it is still pending and overdue and nobody holds it."""
    overdue = (
        Order.objects.select_for_update(skip_locked=True)
        .filter(pk=order_id, status=OrderStatus.PENDING, expires_at__lte=now)
        .values_list("pk", flat=True)
    )
    if overdue.first() is None:
        return False
    _cancel(order_id=order_id, reason=CancellationReason.EXPIRED, note=EXPIRED_NOTE)
    return True


@transaction.atomic
def mark_refunded(*, order_id: int, note: str = "") -> None:
    """paid | shipped | delivered → refunded, once its money is given back in full.

    A paid order never ships, so its stock comes back; a shipped or delivered one has left the
    warehouse, and its stock is not touched (goods sent back are a return, not a refund).
    """
    never_shipped = _locked(Order.objects.filter(pk=order_id)).status == OrderStatus.PAID
    _transition(order_id=order_id, to=OrderStatus.REFUNDED, note=note or "Refunded in full.")
    if never_shipped:
        _release_stock(order_id)


def _release_stock(order_id: int) -> None:
    lines = OrderLine.objects.filter(order_id=order_id).values_list("variant_id", "quantity")
    catalog.release_stock(lines=list(lines))


@transaction.atomic
def ship_order(
    *, order_id: int, carrier: str = "", tracking_number: str = "", note: str = ""
) -> None:
    """paid → shipped, recording the carrier and tracking number; only with an address."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if len(carrier) > CARRIER_MAX_LENGTH:
        raise InvalidOrder("carrier", f"At most {CARRIER_MAX_LENGTH} characters.")
    if len(tracking_number) > TRACKING_NUMBER_MAX_LENGTH:
        raise InvalidOrder("tracking_number", f"At most {TRACKING_NUMBER_MAX_LENGTH} characters.")
    default_note = " ".join(
        part
        for part in (
            "Shipped",
            f"with {carrier}" if carrier else "",
            f"(tracking number {tracking_number})" if tracking_number else "",
        )
        if part
    )
    _transition(
        order_id=order_id,
        to=OrderStatus.SHIPPED,
        note=note or f"{default_note}.",
        check=_check_shipping_address,
        carrier=carrier,
        tracking_number=tracking_number,
    )


def _check_shipping_address(order: Order) -> None:
    missing = address.missing_fields(order.shipping_address)
    if missing:
        raise ShippingAddressMissing(
            "The order has no complete shipping address (missing: " + ", ".join(missing) + ").",
            missing_fields=missing,
        )


@transaction.atomic
def deliver_order(*, order_id: int, note: str = "") -> None:
    """shipped → delivered."""
    _transition(order_id=order_id, to=OrderStatus.DELIVERED, note=note or "Delivered.")
