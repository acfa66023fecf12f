"""`manage.py seed_demo`: demo categories, ~50 products (the first of each category with a
picture drawn by Pillow), a superuser, one member of staff per staff group (`Catalog
managers`, `Fulfilment`, `Finance`) and a customer.

Idempotent: running it again creates only what is missing and changes nothing that exists.
The demo users have well-known passwords, so with DEBUG off they are created only when asked
for explicitly (`--with-users`).
"""

import io
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
]
# slug, name, description, the parent's slug (or None): the categories that hold products.
CATEGORIES = [
    ("tea", "Tea", "Loose-leaf teas from around the world.", "drinks"),
    ("coffee", "Coffee", "Whole beans and ground coffee.", "drinks"),
    ("brewing", "Brewing", "Kettles, pots, grinders and filters.", "equipment"),
    ("mugs", "Mugs & Cups", "Things to drink from.", "equipment"),
    ("snacks", "Snacks", "Biscuits and sweets to go with it.", None),
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


class Command(BaseCommand):
    help = (
        "Load idempotent demo data: a two-level category tree, ~50 products, a superuser, "
        "one member of staff per staff group and a customer."
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
            for item in ITEMS[slug]:
                index += 1
                product, was_created = catalog.get_or_create_product(
                    sku=f"{slug[:3].upper()}-{index:03d}",
                    name=item,
                    description=f"{item}: part of the {name.lower()} range.",
                    price=_price(index),
                    stock=_stock(index),
                    category=category,
                    is_active=index % 17 != 0,
                )
                if was_created and item == ITEMS[slug][0]:
                    catalog.add_product_image(product=product, file=_picture(index), alt=item)
                created += was_created
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
