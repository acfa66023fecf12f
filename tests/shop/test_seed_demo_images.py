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
    assert len(pictures) == Category.objects.count() == 5
    assert len({picture.product.category_id for picture in pictures}) == 5
    for picture in pictures:
        assert picture.alt == picture.product.name
        with default_storage.open(picture.file.name, "rb") as file, Image.open(file) as image:
            assert (image.format, image.size) == ("JPEG", (800, 600))
