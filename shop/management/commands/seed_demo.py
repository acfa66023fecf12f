"""`manage.py seed_demo`: a demo catalog, a superuser, one member of staff per staff group
(`Catalog managers`, `Fulfilment`, `Finance`) and a customer.

The catalog is a two-level category tree holding ~50 products sold in one variant and a few
sold in sizes and colours (each combination a variant, with its own SKU, price and stock); the
first product of each category has a picture drawn by Pillow.

Idempotent: running it again creates only what is missing and changes nothing that exists.
The demo users have well-known passwords, so with DEBUG off they are created only when asked
for explicitly (`--with-users`).
"""

import io
import itertools
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image, ImageDraw

from accounts import services as accounts
from catalog import services as catalog

DEMO_USERS = [
    {
        "role": "superuser",
        "email": "staff@example.com",
        "password": "demo-staff-password",
        "first_name": "Sam",
        "last_name": "Staff",
        "is_staff": True,
        "is_superuser": True,
        "groups": [],
    },
    {
        "role": "catalog",
        "email": "catalog@example.com",
        "password": "demo-catalog-password",
        "first_name": "Cat",
        "last_name": "Manager",
        "is_staff": True,
        "is_superuser": False,
        "groups": ["Catalog managers"],
    },
    {
        "role": "fulfilment",
        "email": "fulfilment@example.com",
        "password": "demo-fulfilment-password",
        "first_name": "Phil",
        "last_name": "Fulfilment",
        "is_staff": True,
        "is_superuser": False,
        "groups": ["Fulfilment"],
    },
    {
        "role": "finance",
        "email": "finance@example.com",
        "password": "demo-finance-password",
        "first_name": "Fin",
        "last_name": "Finance",
        "is_staff": True,
        "is_superuser": False,
        "groups": ["Finance"],
    },
    {
        "role": "customer",
        "email": "customer@example.com",
        "password": "demo-customer-password",
        "first_name": "Casey",
        "last_name": "Customer",
        "is_staff": False,
        "is_superuser": False,
        "groups": [],
    },
]
"""A superuser, one member of staff per group the migrations create, and a customer."""

# The top of the two-level category tree: slug, name, description.
PARENT_CATEGORIES = [
    ("drinks", "Drinks", "Tea and coffee."),
    ("equipment", "Equipment", "What to brew with and drink from."),
    ("clothing", "Clothing", "The shop's own T-shirts and hoodies."),
]
# slug, name, description, the parent's slug (or None): the categories that hold products.
CATEGORIES = [
    ("tea", "Tea", "Loose-leaf teas from around the world.", "drinks"),
    ("coffee", "Coffee", "Whole beans and ground coffee.", "drinks"),
    ("brewing", "Brewing", "Kettles, pots, grinders and filters.", "equipment"),
    ("mugs", "Mugs & Cups", "Things to drink from.", "equipment"),
    ("snacks", "Snacks", "Biscuits and sweets to go with it.", None),
    ("t-shirts", "T-shirts", "Organic cotton, printed in-house.", "clothing"),
    ("hoodies", "Hoodies", "Heavy brushed fleece.", "clothing"),
]

ITEMS = {
    "tea": [
        "Sencha",
        "Assam",
        "Darjeeling",
        "Earl Grey",
        "Rooibos",
        "Chamomile",
        "Jasmine Pearls",
        "Oolong",
        "Genmaicha",
        "Lapsang Souchong",
    ],
    "coffee": [
        "Ethiopia Yirgacheffe",
        "Colombia Huila",
        "Kenya AA",
        "Sumatra Mandheling",
        "Guatemala Antigua",
        "Brazil Santos",
        "Espresso Blend",
        "Decaf House Blend",
        "Costa Rica Tarrazu",
        "Rwanda Nyamasheke",
    ],
    "brewing": [
        "Gooseneck Kettle",
        "French Press",
        "Pour-over Dripper",
        "Paper Filters (100)",
        "Burr Grinder",
        "Teapot 1 l",
        "Tea Infuser",
        "Milk Frother",
        "Cold Brew Jar",
        "Digital Scale",
    ],
    "mugs": [
        "Stoneware Mug",
        "Glass Tea Cup",
        "Travel Mug",
        "Espresso Cup Set",
        "Enamel Camp Mug",
        "Double-wall Glass",
        "Porcelain Teacup",
        "Latte Bowl",
        "Tasting Cup",
        "Thermal Flask",
    ],
    "snacks": [
        "Shortbread",
        "Almond Biscotti",
        "Dark Chocolate 70%",
        "Ginger Snaps",
        "Oat Cookies",
        "Stroopwafels",
        "Matcha Wafers",
        "Lemon Drizzle Slice",
        "Salted Caramels",
        "Florentines",
    ],
    "t-shirts": [],
    "hoodies": [],
}

# Products sold in several variants, after the category's products above: every combination
# of the option values is a variant (the first option varying slowest; "size" comes first,
# as PostgreSQL's jsonb keeps an object's shorter keys first). A variant costs the base price
# plus what its values add (`extra`); those in `sold_out` have no stock. The product is found
# again on a second run by its first variant's SKU.
VARIANT_PRODUCTS = {
    "tea": [
        {
            "sku": "TEA-BRK",
            "name": "Breakfast Blend",
            "description": "A strong Assam and Ceylon blend, in three bag sizes.",
            "options": {"size": ["100 g", "250 g", "500 g"]},
            "price": "5.90",
            "extra": {"250 g": "6.60", "500 g": "16.10"},
            "sold_out": [],
        },
    ],
    "coffee": [
        {
            "sku": "COF-HSE",
            "name": "House Espresso Beans",
            "description": "Our house roast, chocolate and hazelnut; whole beans.",
            "options": {"size": ["250 g", "500 g", "1 kg"]},
            "price": "8.90",
            "extra": {"500 g": "7.10", "1 kg": "19.10"},
            "sold_out": ["1 kg"],
        },
    ],
    "mugs": [
        {
            "sku": "MUG-LGO",
            "name": "Logo Mug",
            "description": "Glazed stoneware with the shop's logo; dishwasher safe.",
            "options": {"size": ["300 ml", "450 ml"], "colour": ["white", "black", "sage"]},
            "price": "12.00",
            "extra": {"450 ml": "2.50"},
            "sold_out": ["450 ml / sage"],
        },
    ],
    "t-shirts": [
        {
            "sku": "TSH-LGO",
            "name": "Logo T-shirt",
            "description": "A classic fit T-shirt with the shop's logo on the chest.",
            "options": {"size": ["S", "M", "L", "XL"], "colour": ["white", "black"]},
            "price": "19.00",
            "extra": {"XL": "2.00"},
            "sold_out": ["XL / white"],
        },
        {
            "sku": "TSH-LEF",
            "name": "Tea Leaf T-shirt",
            "description": "A relaxed fit T-shirt printed with a single tea leaf.",
            "options": {"size": ["S", "M", "L", "XL"], "colour": ["sage", "cream"]},
            "price": "22.00",
            "extra": {"XL": "2.00"},
            "sold_out": [],
        },
    ],
    "hoodies": [
        {
            "sku": "HOO-RST",
            "name": "Roastery Hoodie",
            "description": "A pullover hoodie with a kangaroo pocket.",
            "options": {"size": ["S", "M", "L", "XL"], "colour": ["charcoal", "navy"]},
            "price": "45.00",
            "extra": {"XL": "4.00"},
            "sold_out": ["S / navy"],
        },
        {
            "sku": "HOO-ZIP",
            "name": "Zip Hoodie",
            "description": "A full-zip hoodie in heather grey.",
            "options": {"size": ["S", "M", "L", "XL"]},
            "price": "44.00",
            "extra": {"XL": "4.00"},
            "sold_out": [],
        },
    ],
}


def _price(index: int) -> Decimal:
    return (Decimal("3.49") + Decimal(index * 137 % 4500) / 100).quantize(Decimal("0.01"))


def _stock(index: int) -> int:
    return 0 if index % 11 == 0 else (index * 7) % 60 + 1


def _picture(index: int) -> io.BytesIO:
    """A demo product's picture, drawn (nothing is downloaded): a disc on a tinted ground."""
    hue = index * 47 % 256
    image = Image.new("HSV", (800, 600), (hue, 60, 235)).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (250, 150, 550, 450),
        fill=Image.new("HSV", (1, 1), (hue, 200, 180)).convert("RGB").getpixel((0, 0)),
    )
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    output.seek(0)
    return output


def _variants(spec: dict) -> list[dict]:
    """The variants of a `VARIANT_PRODUCTS` entry, in position order: their sku, options,
    price and stock."""
    variants = []
    for position, values in enumerate(itertools.product(*spec["options"].values())):
        options = dict(zip(spec["options"], values, strict=True))
        price = Decimal(spec["price"]) + sum(
            (Decimal(spec["extra"].get(value, "0")) for value in values), Decimal(0)
        )
        code = "-".join(value.upper().replace(" ", "") for value in values)
        sold_out = catalog.variant_name(options) in spec["sold_out"]
        variants.append(
            {
                "sku": f"{spec['sku']}-{code}",
                "options": options,
                "price": price,
                "stock": 0 if sold_out else 6 + position * 7 % 24,
            }
        )
    return variants


@transaction.atomic
def _get_or_create_variant_product(spec: dict, *, category) -> tuple:
    """The product of a `VARIANT_PRODUCTS` entry, created with all its variants if there is
    none: the product's own variant (made by `create_product`) gets the first one's options,
    then the others are added."""
    first, *others = _variants(spec)
    product, created = catalog.get_or_create_product(
        sku=first["sku"],
        name=spec["name"],
        description=spec["description"],
        price=first["price"],
        stock=first["stock"],
        category=category,
    )
    if created:
        # The only variant of a product created just now, in this transaction.
        catalog.update_variant(variant=product.variants.get(), data={"options": first["options"]})
        for variant in others:
            catalog.create_variant(product=product, **variant)
    return product, created


class Command(BaseCommand):
    help = (
        "Load idempotent demo data: a two-level category tree, ~50 products (a few in sizes "
        "and colours), a superuser, one member of staff per staff group and a customer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Create the demo users even with DEBUG off (their passwords are public).",
        )

    def handle(self, *args, with_users: bool, **options):
        created_products = self._seed_catalog()
        self.stdout.write(f"Catalog: {created_products} product(s) created.")
        if settings.DEBUG or with_users:
            self._seed_users()
        else:
            self.stdout.write(
                self.style.WARNING(
                    "DEBUG is off: demo users not created (their passwords are public). "
                    "Pass --with-users to create them anyway."
                )
            )

    def _seed_catalog(self) -> int:
        created = 0
        index = 0
        parents = {
            slug: catalog.get_or_create_category(slug=slug, name=name, description=description)[0]
            for slug, name, description in PARENT_CATEGORIES
        }
        for slug, name, description, parent in CATEGORIES:
            category, _ = catalog.get_or_create_category(
                slug=slug,
                name=name,
                description=description,
                parent=parents.get(parent),
            )
            products = []
            for item in ITEMS[slug]:
                index += 1
                products.append(
                    catalog.get_or_create_product(
                        sku=f"{slug[:3].upper()}-{index:03d}",
                        name=item,
                        description=f"{item}: part of the {name.lower()} range.",
                        price=_price(index),
                        stock=_stock(index),
                        category=category,
                        is_active=index % 17 != 0,
                    )
                )
            for spec in VARIANT_PRODUCTS.get(slug, []):
                products.append(_get_or_create_variant_product(spec, category=category))
            first, was_created = products[0]
            if was_created:
                catalog.add_product_image(product=first, file=_picture(first.pk), alt=first.name)
            created += sum(was_created for _, was_created in products)
        return created

    def _seed_users(self) -> None:
        self.stdout.write("Demo logins:")
        for user in DEMO_USERS:
            if accounts.get_user_by_email(email=user["email"]) is None:
                fields = {k: v for k, v in user.items() if k not in ("role", "groups")}
                try:
                    with transaction.atomic():
                        created = accounts.create_user(**fields)
                        accounts.add_user_to_groups(user_id=created.id, groups=user["groups"])
                except LookupError as error:
                    raise CommandError(
                        f"{error} The staff groups are created by `migrate`; a `flush` "
                        "deletes them with the other rows."
                    ) from None
            self.stdout.write(f"  {user['role']:<10}  {user['email']}  /  {user['password']}")
