"""Racing checkouts for one voucher on PostgreSQL: real threads, each with its own connection,
released together. The conditional UPDATE that counts a use lets exactly `max_uses` through
(and, holding the voucher's row, exactly `max_uses_per_email` per email); every other checkout
is 409 `voucher_invalid` and changes nothing: no order, no stock reserved, its cart still
there (docs/ARCHITECTURE.md, "Checkout")."""

from decimal import Decimal

import pytest

from checkout import services
from checkout.models import VoucherUse
from orders.models import Order
from tests.checkout.carts import CARTS
from tests.checkout.checkouts import check_out, ready_cart, shop_setup, stock, used_count
from tests.concurrency import run_concurrently
from tests.conftest import client_for

pytestmark = [
    pytest.mark.postgres("SQLite serialises all writers, so there is no race to observe"),
    pytest.mark.django_db(transaction=True),
]

RACERS = 20
USES = 5


def _race(clients, carts) -> list[tuple[int, str | None]]:
    def attempt(client, cart):
        response = check_out(client, cart)
        return response.status_code, response.json().get("code")

    return run_concurrently(
        *[
            lambda client=client, cart=cart: attempt(client, cart)
            for client, cart in zip(clients, carts, strict=True)
        ]
    )


def _assert_only_the_winners_changed_anything(clients, carts, results, *, product, winners):
    assert sorted(results) == sorted(
        [(201, None)] * winners + [(409, "voucher_invalid")] * (RACERS - winners)
    )
    assert Order.objects.count() == winners
    assert Order.objects.filter(voucher_code="HALF").count() == winners
    assert VoucherUse.objects.count() == winners
    assert used_count("HALF") == winners
    assert stock(product) == 100 - 2 * winners
    for client, cart, (status_code, _) in zip(clients, carts, results, strict=True):
        expected = 404 if status_code == 201 else 200
        assert client.get(f"{CARTS}{cart['id']}/").status_code == expected


def test_a_voucher_with_5_uses_is_used_by_exactly_5_of_20_racing_checkouts(make_user, make_product):
    shop_setup()
    services.create_voucher(code="HALF", kind="percentage", value=Decimal("50"), max_uses=USES)
    product = make_product(stock=100)
    clients = [client_for(make_user()) for _ in range(RACERS)]
    carts = [ready_cart(client, (product.id, 2), voucher="HALF") for client in clients]

    results = _race(clients, carts)

    _assert_only_the_winners_changed_anything(
        clients, carts, results, product=product, winners=USES
    )


def test_a_voucher_with_2_uses_per_email_is_used_twice_by_one_email_racing(make_user, make_product):
    shop_setup()
    services.create_voucher(
        code="HALF", kind="percentage", value=Decimal("50"), max_uses_per_email=2
    )
    product = make_product(stock=100)
    customer = make_user()
    clients = [client_for(customer) for _ in range(RACERS)]
    carts = [ready_cart(client, (product.id, 2), voucher="HALF") for client in clients]

    results = _race(clients, carts)

    _assert_only_the_winners_changed_anything(clients, carts, results, product=product, winners=2)
    assert set(VoucherUse.objects.values_list("email", flat=True)) == {customer.email}
