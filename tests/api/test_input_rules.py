"""Every write endpoint of every app follows the same input rules (`kernel.api.serializers`):
a key it does not know is a 400 `{"<key>": ["Unknown field."]}`, a value of the wrong JSON type
is a 400 naming the field, and neither changes anything. Every path id is an integer in
1..MAX_ID: anything else is the API's JSON 404, never a 500."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services as accounts_services
from accounts.models import User
from catalog import services as catalog_services
from kernel.ids import MAX_ID
from orders import services as order_services
from orders.dtos import OrderItem
from payments import services as payment_services
from tests.conftest import PASSWORD, client_for
from tests.factories import ADDRESS
from tests.security.conftest import database_state

pytestmark = pytest.mark.django_db

API = "/api/v1"
UNKNOWN = {"zzz": ["Unknown field."]}


@dataclass(frozen=True)
class Shop:
    customer: User
    refresh: str
    category_id: int
    product_id: int
    variant_id: int
    pending: int
    paid: int
    payment: int
    address: int


@pytest.fixture
def shop(customer) -> Shop:
    category = catalog_services.create_category(name="Shoes", slug="shoes")
    product = catalog_services.create_product(
        sku="SHOE-1", name="Runner", price=Decimal("50.00"), stock=10, category=category
    )
    variant = catalog_services.update_variant(
        variant=product.variants.get(), data={"options": {"size": "42"}}
    )

    def place() -> int:
        return order_services.place_order(
            customer_id=customer.pk,
            items=[OrderItem(product_id=product.pk, quantity=1)],
            shipping_address=ADDRESS,
        ).id

    pending, paid = place(), place()
    payment = payment_services.pay_order(order_id=paid, customer_id=customer.pk, token="tok_visa")
    return Shop(
        customer=customer,
        refresh=str(RefreshToken.for_user(customer)),
        category_id=category.pk,
        product_id=product.pk,
        variant_id=variant.pk,
        pending=pending,
        paid=paid,
        payment=payment.id,
        address=accounts_services.create_address(user_id=customer.pk, address=ADDRESS).id,
    )


@pytest.fixture
def clients(customer, make_user) -> dict[str, APIClient]:
    superuser = make_user(is_staff=True, is_superuser=True)
    return {"anyone": APIClient(), "customer": client_for(customer), "staff": client_for(superuser)}


@dataclass(frozen=True)
class Endpoint:
    """A write endpoint: who calls it, with a body it takes, and values of the wrong type."""

    who: str
    method: str
    path: str
    body: dict
    wrong_types: tuple[tuple[str, object], ...] = ()


def _endpoints(shop: Shop) -> dict[str, Endpoint]:
    product = f"{API}/products/{shop.product_id}/"
    full_product = {"sku": "SHOE-1", "name": "Runner", "price": "50.00", "stock": 10}
    item = {"product_id": shop.product_id, "quantity": 1}
    return {
        "register": Endpoint(
            "anyone",
            "post",
            f"{API}/auth/register/",
            {"email": "new@example.com", "password": PASSWORD},
            (("email", 5), ("password", 12345678), ("first_name", 5)),
        ),
        "token": Endpoint(
            "anyone",
            "post",
            f"{API}/auth/token/",
            {"email": shop.customer.email, "password": PASSWORD},
            (("email", 5), ("password", True)),
        ),
        "token-refresh": Endpoint(
            "anyone",
            "post",
            f"{API}/auth/token/refresh/",
            {"refresh": shop.refresh},
            (("refresh", 5),),
        ),
        "token-verify": Endpoint(
            "anyone",
            "post",
            f"{API}/auth/token/verify/",
            {"token": shop.refresh},
            (("token", ["x"]),),
        ),
        "logout": Endpoint(
            "customer", "post", f"{API}/auth/logout/", {"refresh": shop.refresh}, (("refresh", 5),)
        ),
        "me": Endpoint(
            "customer",
            "patch",
            f"{API}/auth/me/",
            {"first_name": "Ann"},
            (("first_name", 5), ("last_name", None)),
        ),
        "password": Endpoint(
            "customer",
            "post",
            f"{API}/auth/password/",
            {"old_password": PASSWORD, "new_password": "another-long-passphrase"},
            (("new_password", 5),),
        ),
        "address-create": Endpoint(
            "customer",
            "post",
            f"{API}/auth/addresses/",
            ADDRESS,
            (("postal_code", 62701), ("country", None), ("is_default_shipping", "true")),
        ),
        "address-update": Endpoint(
            "customer",
            "patch",
            f"{API}/auth/addresses/{shop.address}/",
            {"city": "Chicago"},
            (("city", 5), ("is_default_shipping", 1)),
        ),
        "category-create": Endpoint(
            "staff",
            "post",
            f"{API}/categories/",
            {"name": "Hats"},
            (("name", 5), ("slug", 5), ("description", 5)),
        ),
        "category-update": Endpoint(
            "staff", "patch", f"{API}/categories/shoes/", {"name": "Boots"}, (("name", True),)
        ),
        "product-create": Endpoint(
            "staff",
            "post",
            f"{API}/products/",
            {"sku": "HAT-1", "name": "Hat", "price": "9.99"},
            (
                ("stock", "5"),
                ("stock", 5.0),
                ("price", 9.99),
                ("is_active", "true"),
                ("is_active", 1),
                ("category", str(shop.category_id)),
                ("category", True),
                ("name", 5),
                ("sku", None),
            ),
        ),
        "product-replace": Endpoint(
            "staff", "put", product, full_product, (("stock", "10"), ("description", 5))
        ),
        "product-update": Endpoint(
            "staff", "patch", product, {"stock": 3}, (("stock", "3"), ("price", 50))
        ),
        "variant-create": Endpoint(
            "staff",
            "post",
            f"{product}variants/",
            {"sku": "SHOE-1-43", "options": {"size": "43"}, "price": "50.00"},
            (
                ("stock", "5"),
                ("price", 50.0),
                ("options", {"size": 43}),
                ("options", ["43"]),
                ("sku", 5),
                ("name", 5),
                ("position", "1"),
            ),
        ),
        "variant-update": Endpoint(
            "staff",
            "patch",
            f"{product}variants/{shop.variant_id}/",
            {"stock": 3},
            (("stock", "3"), ("options", "42")),
        ),
        "order-place": Endpoint(
            "customer",
            "post",
            f"{API}/orders/",
            {"items": [item], "shipping_address": ADDRESS},
            (
                ("items", [{**item, "quantity": "1"}]),
                ("items", [{**item, "product_id": str(shop.product_id)}]),
                ("items", {"product_id": shop.product_id}),
                ("shipping_address", {**ADDRESS, "postal_code": 62701}),
                ("shipping_address", "1 Main Street"),
            ),
        ),
        "order-cancel": Endpoint("customer", "post", f"{API}/orders/{shop.pending}/cancel/", {}),
        "order-ship": Endpoint(
            "staff",
            "post",
            f"{API}/orders/{shop.paid}/ship/",
            {"carrier": "DHL"},
            (("carrier", 5), ("tracking_number", False)),
        ),
        "order-deliver": Endpoint("staff", "post", f"{API}/orders/{shop.paid}/deliver/", {}),
        "pay": Endpoint(
            "customer",
            "post",
            f"{API}/payments/",
            {"order_id": shop.pending, "token": "tok_visa"},
            (("order_id", str(shop.pending)), ("order_id", float(shop.pending)), ("token", 5)),
        ),
        "refund": Endpoint(
            "staff",
            "post",
            f"{API}/payments/{shop.payment}/refund/",
            {"amount": "1.00"},
            (("amount", 1), ("amount", 1.0), ("amount", True)),
        ),
    }


ENDPOINTS = [
    "register",
    "token",
    "token-refresh",
    "token-verify",
    "logout",
    "me",
    "password",
    "address-create",
    "address-update",
    "category-create",
    "category-update",
    "product-create",
    "product-replace",
    "product-update",
    "variant-create",
    "variant-update",
    "order-place",
    "order-cancel",
    "order-ship",
    "order-deliver",
    "pay",
    "refund",
]


def _send(clients, endpoint: Endpoint, body: dict):
    client = clients[endpoint.who]
    return getattr(client, endpoint.method)(endpoint.path, body, format="json")


def test_every_write_endpoint_is_walked(shop):
    assert sorted(_endpoints(shop)) == sorted(ENDPOINTS)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_an_unknown_field_is_400_naming_it_and_changes_nothing(shop, clients, name):
    endpoint = _endpoints(shop)[name]
    before = database_state()

    response = _send(clients, endpoint, {**endpoint.body, "zzz": 1})

    assert response.status_code == 400
    assert response.json() == UNKNOWN
    assert database_state() == before


WRONG_TYPES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name, count in [
        ("register", 3),
        ("token", 2),
        ("token-refresh", 1),
        ("token-verify", 1),
        ("logout", 1),
        ("me", 2),
        ("password", 1),
        ("address-create", 3),
        ("address-update", 2),
        ("category-create", 3),
        ("category-update", 1),
        ("product-create", 9),
        ("product-replace", 2),
        ("product-update", 2),
        ("variant-create", 7),
        ("variant-update", 2),
        ("order-place", 5),
        ("order-ship", 2),
        ("pay", 3),
        ("refund", 3),
    ]
    for index in range(count)
]


def test_every_wrong_type_case_is_walked(shop):
    listed = {}
    for param in WRONG_TYPES:
        name, _ = param.values
        listed[name] = listed.get(name, 0) + 1
    actual = {name: len(e.wrong_types) for name, e in _endpoints(shop).items() if e.wrong_types}
    assert listed == actual


@pytest.mark.parametrize(("name", "index"), WRONG_TYPES)
def test_a_value_of_the_wrong_type_is_400_naming_the_field_and_changes_nothing(
    shop, clients, name, index
):
    endpoint = _endpoints(shop)[name]
    field, value = endpoint.wrong_types[index]
    before = database_state()

    response = _send(clients, endpoint, {**endpoint.body, field: value})

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert database_state() == before


def test_a_misspelt_product_field_is_400_not_a_product_without_stock(shop, clients):
    before = database_state()

    response = clients["staff"].post(
        f"{API}/products/", {"sku": "HAT-1", "name": "Hat", "price": "9.99", "stok": 5}
    )

    assert response.status_code == 400
    assert response.json() == {"stok": ["Unknown field."]}
    assert database_state() == before


def test_a_payment_with_a_string_order_id_and_an_amount_is_400_naming_both(shop, clients):
    before = database_state()

    response = clients["customer"].post(
        f"{API}/payments/",
        {"order_id": str(shop.pending), "token": "tok_visa", "amount": "0.01"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"order_id", "amount"}
    assert response.json()["amount"] == ["Unknown field."]
    assert database_state() == before


def test_a_category_slug_on_write_is_400_giving_its_id(shop, clients):
    response = clients["staff"].post(
        f"{API}/products/",
        {"sku": "HAT-1", "name": "Hat", "price": "9.99", "category": "shoes"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "category": [
            "Expected the category's id (an integer), not a slug; "
            f"category 'shoes' has id {shop.category_id}."
        ]
    }


def test_an_unknown_category_slug_on_write_is_400_asking_for_an_id(shop, clients):
    response = clients["staff"].patch(
        f"{API}/products/{shop.product_id}/", {"category": "hats"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"category": ["Expected the category's id, an integer."]}


def test_a_category_is_set_by_its_id(shop, clients):
    hats = catalog_services.create_category(name="Hats")

    response = clients["staff"].patch(
        f"{API}/products/{shop.product_id}/", {"category": hats.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["category"] == {"id": hats.pk, "name": "Hats", "slug": hats.slug}


BAD_IDS = ["0", "-1", "abc", "1.5", "1e3", str(MAX_ID + 1), "9" * 25, "%C2%B2"]


ID_PATHS = [
    ("get", f"{API}/products/{{}}/"),
    ("patch", f"{API}/products/{{}}/"),
    ("delete", f"{API}/products/{{}}/"),
    ("get", f"{API}/orders/{{}}/"),
    ("post", f"{API}/orders/{{}}/cancel/"),
    ("post", f"{API}/orders/{{}}/ship/"),
    ("post", f"{API}/orders/{{}}/deliver/"),
    ("get", f"{API}/payments/{{}}/"),
    ("post", f"{API}/payments/{{}}/refund/"),
]


@pytest.mark.parametrize("path_id", [*BAD_IDS, "999999", str(MAX_ID)])
def test_a_path_id_that_is_not_an_integer_from_1_to_max_id_or_names_nothing_is_a_json_404(
    shop, clients, path_id
):
    before = database_state()

    responses = [
        getattr(clients["staff"], method)(path.format(path_id), {}, format="json")
        for method, path in ID_PATHS
    ]

    assert [response.status_code for response in responses] == [404] * len(responses)
    assert {response.json()["code"] for response in responses} == {"not_found"}
    assert database_state() == before
