"""Image writes invalidate the cached product lists, as every catalog write does: a page's
`thumbnail` is never stale once the write has committed (these tests commit for real)."""

import io

import pytest

from catalog import services
from tests.catalog.image_files import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = "/api/v1/products/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _thumbnail(client) -> dict | None:
    (item,) = client.get(PRODUCTS).json()["results"]
    return item["thumbnail"]


def test_every_image_write_shows_in_the_cached_list_at_once(anon_client, product):
    assert _thumbnail(anon_client) is None  # cached

    image = services.add_product_image(
        product=product, file=io.BytesIO(image_bytes(size=(800, 400))), alt="Front"
    )
    assert _thumbnail(anon_client)["alt"] == "Front"

    services.make_image_renditions(image_id=image.pk)
    assert _thumbnail(anon_client)["thumbnail_url"] is not None

    services.update_product_image(image=image, data={"alt": "Side"})
    assert _thumbnail(anon_client)["alt"] == "Side"

    services.delete_product_image(image=image)
    assert _thumbnail(anon_client) is None
