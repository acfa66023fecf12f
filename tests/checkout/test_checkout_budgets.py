"""The exact query budget of a checkout: the same for a cart of 1 line or of 10.

Inside a test the outermost `atomic` is a savepoint, so every `transaction.atomic` shows up as
a SAVEPOINT and a RELEASE.
"""

from decimal import Decimal

import pytest

from checkout import services
from tests.checkout.checkouts import check_out, ready_cart, shop_setup
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# The caller (the JWT's user) and the cart (`cart_for`); savepoint, the cart locked and read
# again, priced as its read prices it (lines, variants, tax rate), the owner's email; the
# voucher's conditional UPDATE and this email's uses; `place_order` (savepoint, the
# reservation's savepoint, its SELECT … FOR UPDATE of the variants, their UPDATE and release,
# the order's INSERT in its savepoint, its lines, its event, the outbox row, release); the
# voucher use, the cart's lines and the cart deleted, release; the order read back (the order,
# its lines, its events).
CHECKOUT = 2 + 1 + 5 + 2 + 12 + 3 + 1 + 3


@pytest.mark.parametrize("count", [1, 10])
def test_a_checkout_costs_the_same_for_any_number_of_lines(
    customer, make_product, django_assert_num_queries, count
):
    shop_setup()
    services.create_voucher(
        code="TEN", kind="percentage", value=Decimal("10"), max_uses=100, max_uses_per_email=5
    )
    client = client_for(customer)
    products = [make_product(stock=100) for _ in range(count)]
    cart = ready_cart(client, *[(product.id, 1) for product in products], voucher="TEN")

    with django_assert_num_queries(CHECKOUT):
        response = check_out(client, cart)

    assert response.status_code == 201, response.content
    assert len(response.json()["items"]) == count
