"""Product images through the API: upload, change, delete, the renditions the worker makes,
and how products show them (detail `images`, list `thumbnail`) within exact query budgets."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import tasks
from catalog.models import ProductImage
from kernel import background
from tests.catalog.image_files import image_bytes, png_claiming
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Each test stores its files in a directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_without_group_client(staff_without_group):
    return client_for(staff_without_group)


def upload_url(product) -> str:
    return f"{PRODUCTS}{product.pk}/images/"


def image_url(product, image_id: int) -> str:
    return f"{PRODUCTS}{product.pk}/images/{image_id}/"


def upload(client, product, data: bytes, name: str = "photo.jpg", **fields):
    file = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post(upload_url(product), {"file": file, **fields}, format="multipart")


def stored(url: str) -> Image.Image:
    """The stored file a media URL names (the test client does not serve media)."""
    name = url.removeprefix("/media/")
    with default_storage.open(name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
        return image


@pytest.mark.parametrize(
    ("image_format", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]
)
def test_staff_upload_a_jpeg_png_or_webp(staff_client, product, image_format, extension):
    response = upload(
        staff_client, product, image_bytes(image_format, size=(300, 200)), alt="A blue mug"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "url", "thumbnail_url", "large_url", "alt", "width", "height", "position"
    }  # fmt: skip
    assert (body["alt"], body["width"], body["height"], body["position"]) == (
        "A blue mug", 300, 200, 0
    )  # fmt: skip
    assert (body["thumbnail_url"], body["large_url"]) == (None, None)
    assert body["url"].startswith("/media/products/")
    assert body["url"].endswith(f".{extension}")
    file = stored(body["url"])
    assert (file.format, file.size) == (image_format, (300, 200))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n%%EOF\n", "photo.jpg"),
        (image_bytes("GIF"), "photo.jpg"),
        (b"plain text", "photo.png"),
        (b"", "photo.jpg"),
    ],
    ids=["pdf", "gif", "text", "empty"],
)
def test_a_file_that_is_not_what_its_name_says_is_400_invalid_image(
    staff_client, product, data, name
):
    response = upload(staff_client, product, data, name=name)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not ProductImage.objects.exists()


def test_a_file_over_10_mb_is_400_invalid_image(staff_client, product, media):
    data = image_bytes("PNG") + b"\0" * (11 * 1024 * 1024)

    response = upload(staff_client, product, data, name="big.png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not ProductImage.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_decompression_bomb_is_400_invalid_image(staff_client, product):
    response = upload(staff_client, product, png_claiming(50_000, 50_000), name="bomb.png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"


def test_the_stored_file_has_no_exif(staff_client, product):
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 29.0)}  # GPS latitude
    exif[0x0112] = 6  # rotated
    source = image_bytes("JPEG", size=(60, 20), exif=exif.tobytes())

    body = upload(staff_client, product, source).json()

    file = stored(body["url"])
    assert not file.getexif()
    assert (body["width"], body["height"]) == (20, 60) == file.size


def test_a_missing_file_is_a_field_error(staff_client, product):
    response = staff_client.post(upload_url(product), {"alt": "x"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_json_is_not_an_upload(staff_client, product):
    response = staff_client.post(upload_url(product), {"file": "x"}, format="json")

    assert response.status_code == 415


def test_an_upload_to_an_unknown_product_is_404(staff_client):
    response = staff_client.post(
        f"{PRODUCTS}999999/images/",
        {"file": SimpleUploadedFile("a.jpg", image_bytes("JPEG"))},
        format="multipart",
    )

    assert response.status_code == 404


def test_images_go_last_unless_placed(staff_client, product):
    first = upload(staff_client, product, image_bytes()).json()
    second = upload(staff_client, product, image_bytes()).json()
    placed = upload(staff_client, product, image_bytes(), position="7").json()

    assert (first["position"], second["position"], placed["position"]) == (0, 1, 7)


def test_the_worker_makes_the_renditions_never_upscaled_and_only_once(staff_client, product):
    big = upload(staff_client, product, image_bytes("JPEG", size=(2000, 1000))).json()
    small = upload(staff_client, product, image_bytes("PNG", size=(100, 50))).json()

    assert tasks.make_image_renditions(big["id"]) is True
    assert tasks.make_image_renditions(small["id"]) is True
    assert tasks.make_image_renditions(big["id"]) is False  # already made

    images_ = {
        image["id"]: image
        for image in staff_client.get(f"{PRODUCTS}{product.pk}/").json()["images"]
    }
    big, small = images_[big["id"]], images_[small["id"]]
    assert stored(big["thumbnail_url"]).size == (320, 160)
    assert stored(big["large_url"]).size == (1280, 640)
    assert stored(small["thumbnail_url"]).size == (100, 50)
    assert stored(small["large_url"]).size == (100, 50)
    assert stored(small["thumbnail_url"]).format == "PNG"
    assert stored(big["url"]).size == (2000, 1000)


def test_the_renditions_of_an_image_deleted_meanwhile_are_not_made(staff_client, product):
    image = upload(staff_client, product, image_bytes()).json()
    staff_client.delete(image_url(product, image["id"]))

    assert tasks.make_image_renditions(image["id"]) is False


def test_the_upload_asks_the_worker_for_its_renditions_once_it_commits(
    staff_client, product, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        background.current_app, "send_task", lambda name, **options: sent.append((name, options))
    )

    with django_capture_on_commit_callbacks(execute=True):
        image = upload(staff_client, product, image_bytes()).json()

    assert sent == [
        ("catalog.make_image_renditions", {"kwargs": {"image_id": image["id"]}, "retry": False})
    ]


def test_staff_change_an_images_alt_and_position(staff_client, product):
    image = upload(staff_client, product, image_bytes(), alt="old").json()

    response = staff_client.patch(
        image_url(product, image["id"]), {"alt": "new", "position": 3}, format="json"
    )

    assert response.status_code == 200
    assert {**image, "alt": "new", "position": 3} == response.json()
    assert staff_client.get(f"{PRODUCTS}{product.pk}/").json()["images"] == [response.json()]


@pytest.mark.parametrize("body", [{"position": -1}, {"alt": 5}, {"width": 10}, {"position": "1"}])
def test_a_bad_change_is_400(staff_client, product, body):
    image = upload(staff_client, product, image_bytes()).json()

    assert (
        staff_client.patch(image_url(product, image["id"]), body, format="json").status_code == 400
    )


def test_an_image_of_another_product_is_404(staff_client, product, make_product):
    image = upload(staff_client, product, image_bytes()).json()
    other = make_product()

    assert (
        staff_client.patch(image_url(other, image["id"]), {"alt": "x"}, format="json").status_code
        == 404
    )
    assert staff_client.delete(image_url(other, image["id"])).status_code == 404


def test_deleting_an_image_deletes_its_files_once_committed(
    staff_client, product, media, django_capture_on_commit_callbacks
):
    image = upload(staff_client, product, image_bytes("JPEG", size=(1500, 800))).json()
    tasks.make_image_renditions(image["id"])
    files = sorted(path.name for path in media.rglob("*.jpg"))
    assert len(files) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.delete(image_url(product, image["id"]))

    assert response.status_code == 204
    assert not list(media.rglob("*.jpg"))
    assert staff_client.get(f"{PRODUCTS}{product.pk}/").json()["images"] == []


def test_deleting_a_product_deletes_its_image_files_once_committed(
    staff_client, product, media, django_capture_on_commit_callbacks
):
    for _ in range(2):
        image = upload(staff_client, product, image_bytes()).json()
    tasks.make_image_renditions(image["id"])
    assert len(list(media.rglob("*.jpg"))) == 4

    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.delete(f"{PRODUCTS}{product.pk}/").status_code == 204

    assert not list(media.rglob("*.jpg"))
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("anon_client", 401), ("customer_client", 403), ("staff_without_group_client", 403)],
)
def test_only_staff_with_the_image_permissions_write_images(
    request, staff_client, product, client_name, status
):
    image = upload(staff_client, product, image_bytes()).json()
    client = request.getfixturevalue(client_name)

    assert upload(client, product, image_bytes()).status_code == status
    assert (
        client.patch(image_url(product, image["id"]), {"alt": "x"}, format="json").status_code
        == status
    )
    assert client.delete(image_url(product, image["id"])).status_code == status
    assert ProductImage.objects.count() == 1


def test_a_catalog_manager_writes_images(catalog_manager, product):
    client = client_for(catalog_manager)
    image = upload(client, product, image_bytes()).json()

    assert (
        client.patch(image_url(product, image["id"]), {"alt": "x"}, format="json").status_code
        == 200
    )
    assert client.delete(image_url(product, image["id"])).status_code == 204


def test_the_detail_lists_images_by_position_and_the_list_shows_the_first_as_thumbnail(
    staff_client, anon_client, product, make_product
):
    bare = make_product()
    later = upload(staff_client, product, image_bytes(), position="5", alt="later").json()
    first = upload(staff_client, product, image_bytes(), position="2", alt="first").json()

    detail = anon_client.get(f"{PRODUCTS}{product.pk}/").json()
    listed = {item["id"]: item for item in anon_client.get(PRODUCTS).json()["results"]}

    assert [image["alt"] for image in detail["images"]] == ["first", "later"]
    assert detail["images"] == [first, later]
    assert detail["thumbnail"] == first
    assert listed[product.pk]["thumbnail"] == first
    assert listed[bare.pk]["thumbnail"] is None
    # Before its renditions exist, a storefront shows the original.
    assert first["thumbnail_url"] is None
    assert first["url"]


def test_a_thumbnail_shows_its_rendition_once_made(staff_client, anon_client, product):
    image = upload(staff_client, product, image_bytes("JPEG", size=(1000, 1000))).json()
    tasks.make_image_renditions(image["id"])

    (item,) = anon_client.get(PRODUCTS).json()["results"]

    assert stored(item["thumbnail"]["thumbnail_url"]).size == (320, 320)


@pytest.fixture
def shop_with_images(product, make_product):
    """`shop_with_images(products, images_each)`: active products, each with its images."""

    def make(products: int, images_each: int) -> None:
        for _ in range(products):
            item = make_product()
            for position in range(images_each):
                ProductImage.objects.create(
                    product=item, file=f"products/x{position}.jpg", width=1, height=1,
                    position=position,
                )  # fmt: skip

    return make


@pytest.mark.parametrize(("products", "images_each"), [(1, 1), (20, 5)])
def test_a_page_with_thumbnails_costs_four_queries_however_many_products_and_images(
    anon_client, shop_with_images, django_assert_num_queries, products, images_each
):
    shop_with_images(products, images_each)

    with django_assert_num_queries(4):  # count, page, first images, variants
        results = anon_client.get(PRODUCTS, {"page_size": 100}).json()["results"]

    assert sum(item["thumbnail"] is not None for item in results) == products


@pytest.mark.parametrize("images_each", [1, 10])
def test_a_product_with_images_costs_three_queries_however_many_images(
    anon_client, shop_with_images, django_assert_num_queries, images_each
):
    shop_with_images(1, images_each)
    product_id = ProductImage.objects.first().product_id

    with django_assert_num_queries(3):  # the product, its variants, its images
        body = anon_client.get(f"{PRODUCTS}{product_id}/").json()

    assert [image["position"] for image in body["images"]] == list(range(images_each))
