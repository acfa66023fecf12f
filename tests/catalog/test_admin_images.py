"""A product's images in the admin: an inline with previews, written through the services."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from catalog import services
from catalog.models import ProductImage
from tests.catalog.admin_pages import page_data
from tests.catalog.image_files import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_client_for_staff(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def change_url(product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def change_form(client: Client, product, **values) -> dict:
    """The product's change page as shown, its images inline; `values` override."""
    return page_data(client.get(change_url(product))) | values


def test_the_product_page_shows_its_images_with_previews(admin_client_for_staff, product):
    image = services.add_product_image(
        product=product, file=io.BytesIO(image_bytes()), alt="A blue mug"
    )

    response = admin_client_for_staff.get(change_url(product))

    assert response.status_code == 200
    assert f'<img src="{image.file.url}" alt="A blue mug"'.encode() in response.content
    assert b'name="images-TOTAL_FORMS"' in response.content


def test_staff_upload_an_image_in_the_product_page_and_it_is_re_encoded(
    admin_client_for_staff, product
):
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 29.0)}
    upload = SimpleUploadedFile("mug.jpg", image_bytes(exif=exif.tobytes()))

    response = admin_client_for_staff.post(
        change_url(product),
        change_form(
            admin_client_for_staff, product, **{"images-0-file": upload, "images-0-alt": "Mug"}
        ),
    )

    assert response.status_code == 302
    image = ProductImage.objects.get()
    assert (image.product_id, image.alt, image.position) == (product.pk, "Mug", 0)
    with default_storage.open(image.file.name, "rb") as file, Image.open(file) as stored:
        assert not stored.getexif()


def test_staff_change_and_delete_images_in_the_product_page(admin_client_for_staff, product):
    kept = services.add_product_image(product=product, file=io.BytesIO(image_bytes()))
    gone = services.add_product_image(product=product, file=io.BytesIO(image_bytes()))

    response = admin_client_for_staff.post(
        change_url(product),
        change_form(
            admin_client_for_staff, product, **{"images-0-alt": "Front", "images-1-DELETE": "on"}
        ),
    )

    assert response.status_code == 302
    assert list(ProductImage.objects.values_list("pk", "alt")) == [(kept.pk, "Front")]
    assert not ProductImage.objects.filter(pk=gone.pk).exists()


def test_a_file_that_is_not_an_image_saves_nothing_and_says_why(admin_client_for_staff, product):
    upload = SimpleUploadedFile("mug.jpg", b"%PDF-1.4 not a picture")

    response = admin_client_for_staff.post(
        change_url(product),
        change_form(admin_client_for_staff, product, name="Renamed", **{"images-0-file": upload}),
    )

    assert response.status_code == 302
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Nothing was saved" in message and "JPEG" in message for message in messages)
    product.refresh_from_db()
    assert product.name != "Renamed"
    assert not ProductImage.objects.exists()
