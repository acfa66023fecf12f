"""Staff roles: every staff operation checks its Django permission, in the API and the admin.

The migrations create three groups (`Catalog managers`, `Fulfilment`, `Finance`). Over the API,
a member of staff without an operation's permission gets 403 naming it and nothing changes;
with it (or as a superuser) the operation works. Cancelling someone else's order follows the
"an object the caller may not see is 404" rule: staff who may not see every order (no
`orders.view_order`) get 404, staff who may see it but not change it 403.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog import services as catalog_services
from kernel.webhooks import services as webhooks
from orders import services as order_services
from orders.dtos import OrderItem
from orders.models import Order
from payments import services as payment_services
from payments.models import Payment, Refund
from tests.conftest import STAFF_GROUP_MIGRATIONS, client_for
from tests.security.conftest import Shop, database_state

pytestmark = pytest.mark.django_db

EXPECTED_GROUPS = {
    "Catalog managers": {
        f"catalog.{action}_{model}"
        for model in ("product", "category", "productimage")
        for action in ("add", "change", "delete", "view")
    },
    "Fulfilment": {
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderline",
        "orders.view_orderevent",
    },
    "Finance": {
        "payments.view_payment",
        "payments.change_payment",
        "payments.view_refund",
        "payments.view_processedwebhookevent",
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_orderevent",
    },
    "Integrations": {
        *(f"kernel.{action}_webhookendpoint" for action in ("add", "change", "delete", "view")),
        "kernel.change_webhookdelivery",
        "kernel.view_webhookdelivery",
    },
    "Marketing": {
        f"checkout.{action}_{model}"
        for model in ("shippingmethod", "taxrate", "voucher")
        for action in ("add", "change", "delete", "view")
    },
}
ADDRESS = {
    "name": "Casey Customer",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}
ROLES = ("no group", "Catalog managers", "Fulfilment", "Finance", "Integrations", "superuser")


def group_permissions(name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: dict | None
    permission: str
    group: str
    success: int
    """The status when allowed."""

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


OPERATIONS = [
    Operation(
        "post",
        "/api/v1/categories/",
        {"name": "Teapots", "slug": "teapots"},
        "catalog.add_category",
        "Catalog managers",
        201,
    ),
    Operation(
        "patch",
        "/api/v1/categories/{slug}/",
        {"name": "Renamed"},
        "catalog.change_category",
        "Catalog managers",
        200,
    ),
    Operation(
        "delete",
        "/api/v1/categories/{slug}/",
        None,
        "catalog.delete_category",
        "Catalog managers",
        204,
    ),
    Operation(
        "post",
        "/api/v1/products/",
        {"sku": "NEW-1", "name": "Teapot", "price": "9.99", "stock": 5},
        "catalog.add_product",
        "Catalog managers",
        201,
    ),
    Operation(
        "put",
        "/api/v1/products/{product}/",
        {"sku": "SEC-0", "name": "Kettle", "price": "11.00", "stock": 100},
        "catalog.change_product",
        "Catalog managers",
        200,
    ),
    Operation(
        "patch",
        "/api/v1/products/{product}/",
        {"price": "11.00"},
        "catalog.change_product",
        "Catalog managers",
        200,
    ),
    Operation(
        "delete",
        "/api/v1/products/{product}/",
        None,
        "catalog.delete_product",
        "Catalog managers",
        204,
    ),
    Operation(
        "post",
        "/api/v1/products/{sized}/variants/",
        {"sku": "SEC-S-L", "options": {"size": "L"}, "price": "14.00", "stock": 3},
        "catalog.change_product",
        "Catalog managers",
        201,
    ),
    Operation(
        "patch",
        "/api/v1/products/{sized}/variants/{variant}/",
        {"price": "11.00", "stock": 7},
        "catalog.change_product",
        "Catalog managers",
        200,
    ),
    Operation(
        "delete",
        "/api/v1/products/{sized}/variants/{variant}/",
        None,
        "catalog.change_product",
        "Catalog managers",
        204,
    ),
    Operation(
        "post",
        "/api/v1/orders/{paid}/ship/",
        {"carrier": "DHL", "tracking_number": "1"},
        "orders.change_order",
        "Fulfilment",
        200,
    ),
    Operation(
        "post", "/api/v1/orders/{shipped}/deliver/", None, "orders.change_order", "Fulfilment", 200
    ),
    Operation(
        "post", "/api/v1/orders/{pending}/cancel/", None, "orders.change_order", "Fulfilment", 200
    ),
    Operation(
        "post",
        "/api/v1/payments/{payment}/refund/",
        {"amount": "1.00"},
        "payments.change_payment",
        "Finance",
        201,
    ),
    Operation(
        "post",
        "/api/v1/webhooks/",
        {"url": "https://93.184.216.34/hooks", "events": ["order.paid"]},
        "kernel.add_webhookendpoint",
        "Integrations",
        201,
    ),
    Operation(
        "patch",
        "/api/v1/webhooks/{webhook}/",
        {"is_active": False},
        "kernel.change_webhookendpoint",
        "Integrations",
        200,
    ),
    Operation(
        "delete",
        "/api/v1/webhooks/{webhook}/",
        None,
        "kernel.delete_webhookendpoint",
        "Integrations",
        204,
    ),
]


@dataclass(frozen=True)
class Targets:
    slug: str
    product: int
    sized: int
    """A product in two sizes."""
    variant: int
    """Its second variant."""
    pending: int
    paid: int
    shipped: int
    payment: int
    webhook: int


@pytest.fixture
def targets(customer) -> Targets:
    """The customer's orders (with an address, so that they can be shipped) and a payment."""
    category = catalog_services.create_category(name="Kettles")
    product = catalog_services.create_product(
        sku="SEC-0", name="Kettle", price=Decimal("12.50"), stock=100, category=category
    ).id
    sized = catalog_services.create_product(
        sku="SEC-S-S", name="Sized kettle", price=Decimal("12.50"), stock=4, category=category
    )
    catalog_services.update_variant(variant=sized.variants.get(), data={"options": {"size": "S"}})
    variant = catalog_services.create_variant(
        product=sized, sku="SEC-S-M", price=Decimal("13.00"), options={"size": "M"}, stock=2
    )

    def placed() -> int:
        return order_services.place_order(
            customer_id=customer.pk,
            items=[OrderItem(product_id=product, quantity=1)],
            shipping_address=ADDRESS,
        ).id

    def paid() -> int:
        order_id = placed()
        payment_services.pay_order(order_id=order_id, customer_id=customer.pk, token="tok_visa")
        return order_id

    shipped = paid()
    order_services.ship_order(order_id=shipped, carrier="DHL", tracking_number="JD1")
    paid_order = paid()
    return Targets(
        slug=category.slug,
        product=product,
        sized=sized.id,
        variant=variant.id,
        pending=placed(),
        paid=paid_order,
        shipped=shipped,
        payment=Payment.objects.get(order_id=paid_order).pk,
        webhook=webhooks.create_endpoint(url="https://93.184.216.34/hooks", event_types=["*"]).pk,
    )


@pytest.fixture
def user_in_role(make_staff, make_user):
    def make(role: str) -> User:
        if role == "superuser":
            return make_user(is_staff=True, is_superuser=True)
        return make_staff(*([] if role == "no group" else [role]))

    return make


def _call(client, operation: Operation, targets: Targets):
    path = operation.path.format(**vars(targets))
    return getattr(client, operation.method)(path, operation.body, format="json")


def _denied_status(operation: Operation, role: str) -> int:
    """403, except where the caller may not even see the order (someone else's): 404."""
    sees_every_order = role in ("Fulfilment", "Finance")
    if operation.path.endswith("/cancel/") and not sees_every_order:
        return 404
    return 403


# The groups the migrations create.


def test_the_migrations_create_each_group_with_exactly_its_permissions():
    assert {name: group_permissions(name) for name in EXPECTED_GROUPS} == EXPECTED_GROUPS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", list(STAFF_GROUP_MIGRATIONS))
def test_each_group_migration_is_reversible(staff_groups, group):
    app_label, name = STAFF_GROUP_MIGRATIONS[group]
    (previous,) = (
        parent
        for parent in MigrationLoader(connection).graph.node_map[(app_label, name)].parents
        if parent.key[0] == app_label
    )
    others = set(EXPECTED_GROUPS) - {group}

    call_command("migrate", app_label, previous.key[1], verbosity=0)
    unapplied = set(Group.objects.values_list("name", flat=True))
    call_command("migrate", app_label, verbosity=0)

    assert group not in unapplied
    assert others <= unapplied
    assert group_permissions(group) == EXPECTED_GROUPS[group]


# The API.


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_each_staff_operation_needs_its_permission(user_in_role, targets, operation, role):
    client = client_for(user_in_role(role))
    before = database_state()

    response = _call(client, operation, targets)

    if role in (operation.group, "superuser"):
        assert response.status_code == operation.success, response.content
    else:
        expected = _denied_status(operation, role)
        assert response.status_code == expected, response.content
        assert database_state() == before
        if expected == 403:
            assert response.json()["code"] == "permission_denied"
            assert operation.permission in response.json()["detail"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_a_customer_is_still_refused_every_staff_operation(other_client, targets, operation):
    before = database_state()

    response = _call(other_client, operation, targets)

    assert response.status_code == (404 if operation.path.endswith("/cancel/") else 403)
    assert database_state() == before


def test_a_permission_given_to_a_user_alone_works_like_a_group(make_staff, targets):
    clerk = make_staff()
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="orders", codename="change_order")
    )

    response = client_for(clerk).post(f"/api/v1/orders/{targets.paid}/ship/", {}, format="json")

    assert response.status_code == 200
    assert Order.objects.get(pk=targets.paid).status == "shipped"


def test_a_user_with_a_permission_but_not_staff_is_still_refused(make_user, targets):
    customer = make_user()
    customer.groups.add(Group.objects.get(name="Fulfilment"))

    response = client_for(customer).post(f"/api/v1/orders/{targets.paid}/ship/", {}, format="json")

    assert response.status_code == 403
    assert Order.objects.get(pk=targets.paid).status == "paid"


def test_the_owner_in_any_group_may_cancel_their_own_order(make_staff, targets):
    catalog_manager = make_staff("Catalog managers")
    order_id = order_services.place_order(
        customer_id=catalog_manager.pk, items=[OrderItem(product_id=targets.product, quantity=1)]
    ).id

    response = client_for(catalog_manager).post(f"/api/v1/orders/{order_id}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("role", "orders_seen", "payments_seen"),
    [
        ("no group", 0, 0),
        ("Catalog managers", 0, 0),
        ("Fulfilment", 3, 0),
        ("Finance", 3, 2),
        ("superuser", 3, 2),
    ],
)
def test_staff_see_everyones_orders_and_payments_only_with_the_view_permission(
    user_in_role, targets, role, orders_seen, payments_seen
):
    client = client_for(user_in_role(role))

    orders = client.get("/api/v1/orders/").json()["count"]
    payments = client.get("/api/v1/payments/").json()["count"]
    order = client.get(f"/api/v1/orders/{targets.paid}/")
    payment = client.get(f"/api/v1/payments/{targets.payment}/")

    assert (orders, payments) == (orders_seen, payments_seen)
    assert order.status_code == (200 if orders_seen else 404)
    assert payment.status_code == (200 if payments_seen else 404)


@pytest.mark.parametrize(
    ("role", "sees_it"),
    [("no group", False), ("Finance", False), ("Catalog managers", True), ("superuser", True)],
)
def test_inactive_products_are_for_staff_who_may_view_products(
    user_in_role, targets, role, sees_it
):
    catalog_services.set_products_active(product_ids=[targets.product], is_active=False)
    client = client_for(user_in_role(role))

    listed = {product["id"] for product in client.get("/api/v1/products/").json()["results"]}
    detail = client.get(f"/api/v1/products/{targets.product}/")

    assert listed >= {targets.sized}
    assert (targets.product in listed, detail.status_code) == (sees_it, 200 if sees_it else 404)


def test_the_schema_names_the_permission_in_each_staff_operations_403(anon_client):
    paths = anon_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    for operation in OPERATIONS:
        path = operation.path.replace("{variant}", "{variant_id}")
        for name in (
            "slug",
            "product",
            "sized",
            "paid",
            "shipped",
            "pending",
            "payment",
            "webhook",
        ):
            path = path.replace(f"{{{name}}}", "{slug}" if name == "slug" else "{id}")
        description = paths[path][operation.method]["responses"]["403"]["description"]
        assert operation.permission in description, str(operation)


# The admin.


def _admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_catalog_manager_edits_products_in_the_admin_but_cannot_touch_orders(make_staff, targets):
    client = _admin_client(make_staff("Catalog managers"))
    product_change = reverse("admin:catalog_product_change", args=[targets.product])

    page = client.get(product_change)
    orders = client.get(reverse("admin:orders_order_changelist"))
    ship = client.post(reverse("admin:orders_order_ship", args=[targets.paid]), {"carrier": "X"})
    refund = client.post(f"/admin/payments/payment/{targets.payment}/refund/", {"amount": "1"})

    assert page.status_code == 200
    assert "Save" in page.content.decode()
    assert (orders.status_code, ship.status_code, refund.status_code) == (403, 403, 403)
    assert Order.objects.get(pk=targets.paid).status == "paid"
    assert not Refund.objects.exists()


def test_fulfilment_ships_in_the_admin_but_cannot_refund_or_edit_products(make_staff, targets):
    client = _admin_client(make_staff("Fulfilment"))

    ship = client.post(
        reverse("admin:orders_order_ship", args=[targets.paid]),
        {"carrier": "UPS", "tracking_number": "1Z", "note": ""},
    )
    refund = client.post(f"/admin/payments/payment/{targets.payment}/refund/", {"amount": "1"})
    product = client.get(reverse("admin:catalog_product_change", args=[targets.product]))

    assert ship.status_code == 302
    assert Order.objects.get(pk=targets.paid).status == "shipped"
    assert (refund.status_code, product.status_code) == (403, 403)
    assert not Refund.objects.exists()


def test_finance_refunds_in_the_admin_but_cannot_edit_products_or_ship(make_staff, targets):
    client = _admin_client(make_staff("Finance"))
    payment_page = client.get(f"/admin/payments/payment/{targets.payment}/change/")
    order_page = client.get(reverse("admin:orders_order_change", args=[targets.paid]))

    refund = client.post(f"/admin/payments/payment/{targets.payment}/refund/", {"amount": "1.00"})
    product = client.get(reverse("admin:catalog_product_change", args=[targets.product]))
    ship = client.post(reverse("admin:orders_order_ship", args=[targets.paid]), {"carrier": "X"})

    assert f"/admin/payments/payment/{targets.payment}/refund/" in payment_page.content.decode()
    assert order_page.status_code == 200
    assert reverse("admin:orders_order_ship", args=[targets.paid]) not in (
        order_page.content.decode()
    )
    assert refund.status_code == 302
    assert Refund.objects.get().amount == Decimal("1.00")
    assert (product.status_code, ship.status_code) == (403, 403)
    assert Order.objects.get(pk=targets.paid).status == "paid"


def test_staff_without_a_group_may_sign_in_to_the_admin_and_see_nothing(staff_without_group):
    client = _admin_client(staff_without_group)

    index = client.get("/admin/")
    pages = [
        client.get(reverse(f"admin:{name}_changelist")).status_code
        for name in ("catalog_product", "catalog_category", "orders_order", "payments_payment")
    ]

    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert pages == [403, 403, 403, 403]


def test_the_refund_actions_need_the_change_permission_of_payments(make_staff, targets):
    viewer = make_staff()
    viewer.user_permissions.add(
        *Group.objects.get(name="Finance").permissions.exclude(codename="change_payment")
    )
    client = _admin_client(viewer)

    listing = client.get("/admin/payments/payment/")
    refund = client.post(f"/admin/payments/payment/{targets.payment}/refund/", {"amount": "1"})

    assert listing.status_code == 200
    assert "refund_in_full" not in listing.content.decode()
    assert refund.status_code == 403
    assert not Refund.objects.exists()


def test_the_staff_fixture_holds_every_groups_permissions(staff):
    every_group = set().union(*EXPECTED_GROUPS.values())

    assert staff.is_staff
    assert not staff.is_superuser
    assert staff.has_perms(every_group)


def test_a_group_member_fixture_is_in_exactly_that_group(
    catalog_manager, fulfilment_staff, finance_staff
):
    groups = {
        user.pk: list(user.groups.values_list("name", flat=True))
        for user in (catalog_manager, fulfilment_staff, finance_staff)
    }

    assert list(groups.values()) == [["Catalog managers"], ["Fulfilment"], ["Finance"]]


@pytest.fixture
def no_group_client(staff_without_group):
    return client_for(staff_without_group)


def test_the_security_shop_is_unchanged_by_staff_without_permissions(
    no_group_client, shop: Shop, unchanged
):
    responses = [
        no_group_client.post(f"/api/v1/orders/{shop.orders['paid']}/ship/"),
        no_group_client.post(f"/api/v1/payments/{shop.payments['succeeded']}/refund/"),
        no_group_client.delete(f"/api/v1/products/{shop.products[0]}/"),
        no_group_client.post("/api/v1/categories/", {"name": "X"}, format="json"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]


@pytest.mark.parametrize(("role", "shown"), [("no group", False), ("Catalog managers", True)])
def test_the_browsable_api_shows_the_catalogs_forms_only_to_staff_who_may_write(
    user_in_role, targets, role, shown
):
    client = Client()
    client.force_login(user_in_role(role))

    html = client.get("/api/v1/products/", HTTP_ACCEPT="text/html").content.decode()

    assert ('action="/api/v1/products/" method="POST"' in html) is shown
