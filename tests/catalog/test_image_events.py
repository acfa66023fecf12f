"""A product shows its images, so every image write reports the product as it now shows
(`product.updated`), in the write's transaction, the data the staff's detail reads."""

import io

import pytest

from catalog import services
from kernel.models import OutboxEvent
from tests.catalog.image_files import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def reported(product) -> list[dict]:
    """The product's `product.updated` events since the last call, their data."""
    events = OutboxEvent.objects.filter(type="product.updated", data__id=product.pk)
    data = list(events.order_by("id").values_list("data", flat=True))
    events.delete()
    return data


def test_each_image_write_reports_the_product_with_its_images(staff_client, product):
    image = services.add_product_image(
        product=product, file=io.BytesIO(image_bytes(size=(800, 400))), alt="Front"
    )
    (added,) = reported(product)
    assert [shown["alt"] for shown in added["images"]] == ["Front"]
    assert added["thumbnail"]["id"] == image.pk
    assert added == staff_client.get(f"/api/v1/products/{product.pk}/").json()

    services.make_image_renditions(image_id=image.pk)
    (rendered,) = reported(product)
    assert rendered["thumbnail"]["thumbnail_url"] is not None

    services.update_product_image(image=image, data={"alt": "Side"})
    (updated,) = reported(product)
    assert updated["thumbnail"]["alt"] == "Side"

    services.delete_product_image(image=image)
    (deleted,) = reported(product)
    assert (deleted["images"], deleted["thumbnail"]) == ([], None)
