"""`manage.py seed_demo` draws a picture for the first product of each category, once."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from catalog.models import Category, ProductImage

pytestmark = pytest.mark.django_db


def test_the_first_product_of_each_category_has_a_drawn_picture_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)

    pictures = list(ProductImage.objects.select_related("product"))
    # Each category that holds products (Drinks, Equipment and Clothing hold only categories).
    holding = Category.objects.filter(products__isnull=False).distinct()
    assert len(pictures) == holding.count() == 7
    assert {picture.product.category_id for picture in pictures} == set(
        holding.values_list("id", flat=True)
    )
    for picture in pictures:
        assert picture.alt == picture.product.name
        with default_storage.open(picture.file.name, "rb") as file, Image.open(file) as image:
            assert (image.format, image.size) == ("JPEG", (800, 600))
