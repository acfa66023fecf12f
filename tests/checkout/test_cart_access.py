"""A signed-in user's cart is theirs alone: for anyone else, signed in or not, every action on
it is exactly the 404 of a cart that does not exist, and changes nothing."""

import uuid

import pytest

from tests.checkout.carts import CARTS, add_line, new_cart

pytestmark = pytest.mark.django_db


def _actions(cart_id: str, line_id: int) -> list[tuple[str, str, dict | None]]:
    url = f"{CARTS}{cart_id}/"
    return [
        ("get", url, None),
        ("patch", url, {"email": "thief@example.com"}),
        ("post", f"{url}lines/", {"variant_id": 1, "quantity": 1}),
        ("patch", f"{url}lines/{line_id}/", {"quantity": 5}),
        ("delete", f"{url}lines/{line_id}/", None),
        ("get", f"{url}shipping-methods/", None),
        ("post", f"{url}voucher/", {"code": "ANY"}),
        ("delete", f"{url}voucher/", None),
        ("post", f"{url}claim/", None),
    ]


@pytest.mark.parametrize("intruder", ["other_client", "anon_client"])
def test_another_users_cart_is_the_404_of_a_cart_that_does_not_exist(
    request, customer_client, product, intruder
):
    client = request.getfixturevalue(intruder)
    cart = new_cart(customer_client, email="owner@example.com")
    line_id = add_line(customer_client, cart["id"], product_id=product.id, quantity=2).json()[
        "lines"
    ][0]["id"]
    before = customer_client.get(f"{CARTS}{cart['id']}/").json()

    for (method, url, body), (_, missing_url, missing_body) in zip(
        _actions(cart["id"], line_id), _actions(str(uuid.uuid4()), line_id), strict=True
    ):
        if intruder == "anon_client" and url.endswith("claim/"):
            continue  # Claiming needs a signed-in user: 401 whatever the cart.
        theirs = getattr(client, method)(url, body, format="json")
        missing = getattr(client, method)(missing_url, missing_body, format="json")

        assert (url, theirs.status_code) == (url, 404)
        assert theirs.json() == missing.json()

    assert customer_client.get(f"{CARTS}{cart['id']}/").json() == before
