"""A storefront's customer story, written against the Python client that openapi-python-client
generates from `/api/v1/schema/` (as the package `shop_client`).

`tests/sdk/test_generated_clients.py` checks it with `mypy --strict` and runs it against a live
server: it must need no cast and no `type: ignore`, so that the schema's types are the ones a
storefront can use as they are.
"""

import uuid
from decimal import Decimal
from typing import TypeVar

from shop_client import AuthenticatedClient
from shop_client.api.auth import auth_register_create, auth_token_create
from shop_client.api.catalog import products_list
from shop_client.api.orders import orders_create, orders_list, orders_retrieve
from shop_client.api.payments import payments_create
from shop_client.models import (
    Account,
    AddressRequest,
    Order,
    OrderCreateRequest,
    OrderItemInputRequest,
    OrderStatus,
    PaginatedOrderList,
    PaginatedProductList,
    Payment,
    PaymentCreateRequest,
    PaymentStatusEnum,
    ProductsListOrdering,
    RegisterRequest,
    ReservationError,
    TokenObtainRequest,
    TokenPair,
)

T = TypeVar("T")


class StoryFailed(Exception):
    """A step did not get the response the story expects."""


def expect(result: object, kind: type[T]) -> T:
    """The parsed body, if it is the success shape; any other (an error body, None) stops here."""
    if not isinstance(result, kind):
        raise StoryFailed(f"expected {kind.__name__}, got {result!r}")
    return result


def anonymous(base_url: str) -> AuthenticatedClient:
    """A client that sends no credentials.

    The schema marks anonymous operations with `security: [{}]`, but openapi-python-client
    (0.29) still types them as needing an `AuthenticatedClient`
    (openapi-generators/openapi-python-client#1372); an empty header is no credential.
    """
    return AuthenticatedClient(base_url=base_url, token="", prefix="")


def run(base_url: str, password: str) -> Order:
    """Sign up, sign in, pick a product in stock, order too many of it (409, naming the
    shortage), order it to an address, pay with a card token, read the paid order."""
    guest = anonymous(base_url)
    email = f"story-{uuid.uuid4().hex}@example.com"
    account = expect(
        auth_register_create.sync(
            client=guest, body=RegisterRequest(email=email, password=password, first_name="Ada")
        ),
        Account,
    )
    pair = expect(
        auth_token_create.sync(
            client=guest, body=TokenObtainRequest(email=email, password=password)
        ),
        TokenPair,
    )
    customer = AuthenticatedClient(base_url=base_url, token=pair.access)

    page = expect(
        products_list.sync(
            client=guest, in_stock=True, min_price="0.01", ordering=ProductsListOrdering.PRICE
        ),
        PaginatedProductList,
    )
    if not page.results:
        raise StoryFailed("no product in stock")
    product = page.results[0]
    quantity = 2 if product.stock >= 2 else 1

    address = AddressRequest(
        name="Ada Lovelace",
        line1="12 St James's Square",
        city="London",
        postal_code="SW1Y 4JH",
        country="GB",
    )
    short = expect(
        orders_create.sync(
            client=customer,
            body=OrderCreateRequest(
                items=[OrderItemInputRequest(product_id=product.id, quantity=product.stock + 1)],
                shipping_address=address,
            ),
        ),
        ReservationError,
    )
    if [(s.product_id, s.available) for s in short.shortages] != [(product.id, product.stock)]:
        raise StoryFailed(f"{short.code}: unexpected shortages {short.shortages!r}")

    order = expect(
        orders_create.sync(
            client=customer,
            body=OrderCreateRequest(
                items=[OrderItemInputRequest(product_id=product.id, quantity=quantity)],
                shipping_address=address,
            ),
            idempotency_key=uuid.uuid4().hex,
        ),
        Order,
    )
    if order.customer_id != account.id or order.status != OrderStatus.PENDING:
        raise StoryFailed(f"unexpected order {order!r}")
    if Decimal(order.total) != Decimal(product.price) * quantity:
        raise StoryFailed(f"{order.total} is not {quantity} x {product.price}")

    payment = expect(
        payments_create.sync(
            client=customer,
            body=PaymentCreateRequest(order_id=order.id, token="tok_visa"),
            idempotency_key=uuid.uuid4().hex,
        ),
        Payment,
    )
    if payment.status != PaymentStatusEnum.SUCCEEDED or payment.amount != order.total:
        raise StoryFailed(f"unexpected payment {payment!r}")

    paid = expect(orders_retrieve.sync(order.id, client=customer), Order)
    history: list[OrderStatus] = [event.status for event in paid.events]
    if paid.status != OrderStatus.PAID or OrderStatus.PAID not in history:
        raise StoryFailed(f"the order is not paid: {paid!r}")
    if paid.shipping_address is None or paid.shipping_address.city != "London":
        raise StoryFailed("the order lost its address")

    mine = expect(orders_list.sync(client=customer, status=OrderStatus.PAID), PaginatedOrderList)
    if [listed.id for listed in mine.results] != [paid.id]:
        raise StoryFailed("the paid order is not in the customer's paid orders")
    return paid
