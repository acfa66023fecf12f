"""The migrations that bring variants (catalog 0007, orders 0005) lose nothing.

A shop seeded the old way (products holding their sku, price and stock, in categories, with
images, and orders with lines) comes out with one variant per product that holds the product's
sku, price and stock under **the product's id**, so that the old lines, which name a product,
name its variant too. A variant created afterwards gets a fresh id (on PostgreSQL the migration
moves the sequence past the copied ids), and going back sums the variants' stock into the
product.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog import services as catalog
from catalog.models import Product

BEFORE = [("catalog", "0006_catalog_managers_image_permissions"), ("orders", "0004_expiry")]
# Far above any id a sequence of the test database has handed out: a variant sequence that the
# migration forgot to move would hand out an id below them.
FIRST_ID = 1_000_000_001
OLD_PRODUCTS = [
    # id, sku, price, stock, name
    (FIRST_ID, "TEA-OLD-1", Decimal("4.50"), 12, "Sencha"),
    (FIRST_ID + 1, "TEA-OLD-2", Decimal("7.25"), 0, "Assam"),
    (FIRST_ID + 2, "MUG-OLD-1", Decimal("12.00"), 3, "Stoneware Mug"),
]


def migrate(targets):
    """Migrate to `targets` and return the apps (historical models) of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_variants(transactional_db):
    """The schema just before variants; put back to the latest migrations afterwards."""
    yield migrate(BEFORE)
    migrate(latest())


@pytest.fixture
def old_shop(before_variants, customer):
    """Categories (a parent and a child), three products with an image each, and an order of
    the customer with two lines, written through the historical models."""
    apps = before_variants
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    ProductImage = apps.get_model("catalog", "ProductImage")
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    drinks = Category.objects.create(name="Drinks", slug="drinks")
    tea = Category.objects.create(name="Tea", slug="tea", parent=drinks)
    for product_id, sku, price, stock, name in OLD_PRODUCTS:
        product = Product.objects.create(
            id=product_id,
            sku=sku,
            name=name,
            slug=sku.lower(),
            price=price,
            stock=stock,
            category=tea if sku.startswith("TEA") else None,
        )
        ProductImage.objects.create(
            product=product, file=f"products/{product_id}/a.jpg", alt=name, width=8, height=6
        )
    order = Order.objects.create(
        number="OLD-1",
        status="paid",
        customer_id=customer.pk,
        subtotal=Decimal("21.00"),
        total=Decimal("21.00"),
        currency="USD",
    )
    for product_id, sku, price, quantity in [
        (FIRST_ID, "TEA-OLD-1", Decimal("4.50"), 2),
        (FIRST_ID + 2, "MUG-OLD-1", Decimal("12.00"), 1),
    ]:
        OrderLine.objects.create(
            order=order,
            product_id=product_id,
            sku=sku,
            name="old name",
            unit_price=price,
            quantity=quantity,
            line_total=price * quantity,
        )
    return order.pk


def test_each_product_becomes_one_variant_of_its_own_id_holding_its_sku_price_and_stock(
    old_shop,
):
    apps = migrate(latest())

    Product = apps.get_model("catalog", "Product")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    variants = ProductVariant.objects.order_by("id").values(
        "id", "product_id", "sku", "price", "stock", "options", "name", "position"
    )
    assert list(variants) == [
        {
            "id": product_id,
            "product_id": product_id,
            "sku": sku,
            "price": price,
            "stock": stock,
            "options": {},
            "name": "",
            "position": 0,
        }
        for product_id, sku, price, stock, _ in OLD_PRODUCTS
    ]
    assert list(Product.objects.order_by("id").values_list("id", "sku", "price")) == [
        (product_id, sku, price) for product_id, sku, price, _, _ in OLD_PRODUCTS
    ]
    # Nothing else a product had is lost: its category and its image.
    assert Product.objects.get(pk=FIRST_ID).category.slug == "tea"
    ProductImage = apps.get_model("catalog", "ProductImage")
    assert sorted(ProductImage.objects.values_list("product_id", flat=True)) == [
        product_id for product_id, *_ in OLD_PRODUCTS
    ]


def test_the_migrated_products_read_as_before_with_their_one_variant(old_shop, anon_client):
    migrate(latest())

    shown = anon_client.get(f"/api/v1/products/{FIRST_ID}/").json()

    assert {key: shown[key] for key in ("sku", "price", "stock", "in_stock")} == {
        "sku": "TEA-OLD-1",
        "price": "4.50",
        "stock": 12,
        "in_stock": True,
    }
    assert shown["category"]["slug"] == "tea"
    assert [(v["id"], v["sku"], v["options"], v["stock"]) for v in shown["variants"]] == [
        (FIRST_ID, "TEA-OLD-1", {}, 12)
    ]


def test_old_order_lines_name_the_variant_of_their_product(old_shop, customer_client):
    migrate(latest())

    order = customer_client.get(f"/api/v1/orders/{old_shop}/").json()

    assert [
        (item["product_id"], item["variant_id"], item["variant_name"], item["sku"])
        for item in order["items"]
    ] == [
        (FIRST_ID, FIRST_ID, "", "TEA-OLD-1"),
        (FIRST_ID + 2, FIRST_ID + 2, "", "MUG-OLD-1"),
    ]


def test_a_variant_created_after_the_migration_gets_a_fresh_id(old_shop):
    migrate(latest())
    product = Product.objects.get(pk=FIRST_ID)
    catalog.update_variant(variant=product.variants.get(), data={"options": {"size": "100 g"}})

    variant = catalog.create_variant(
        product=product, sku="TEA-OLD-1-L", price=Decimal("9.00"), options={"size": "250 g"}
    )
    other = catalog.create_product(sku="NEW-1", name="New", price=Decimal("1.00"), stock=1)

    last_migrated = FIRST_ID + len(OLD_PRODUCTS) - 1
    assert variant.id > last_migrated
    [new_variant_id] = other.variants.values_list("id", flat=True)
    assert new_variant_id > variant.id


def test_migrating_back_puts_the_variants_stock_together_in_the_product(old_shop):
    migrate(latest())
    product = Product.objects.get(pk=FIRST_ID)
    catalog.update_variant(variant=product.variants.get(), data={"options": {"size": "100 g"}})
    catalog.create_variant(
        product=product, sku="TEA-OLD-1-L", price=Decimal("9.00"), options={"size": "250 g"}
    )
    catalog.create_variant(
        product=product,
        sku="TEA-OLD-1-XL",
        price=Decimal("16.00"),
        options={"size": "500 g"},
        stock=5,
    )

    apps = migrate(BEFORE)

    OldProduct = apps.get_model("catalog", "Product")
    assert list(OldProduct.objects.order_by("id").values_list("id", "sku", "price", "stock")) == [
        (FIRST_ID, "TEA-OLD-1", Decimal("4.50"), 12 + 0 + 5),
        *[(pid, sku, price, stock) for pid, sku, price, stock, _ in OLD_PRODUCTS[1:]],
    ]
