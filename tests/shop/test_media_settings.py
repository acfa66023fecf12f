"""Where uploaded files (product images) are stored, by the environment: the file system under
MEDIA_ROOT by default, any S3-compatible store with MEDIA_STORAGE=s3 (no network here)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.test import override_settings

from tests.shop.test_edges import production_settings

S3 = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "shop-media",
    "AWS_S3_ENDPOINT_URL": "https://minio.example.com",
    "AWS_ACCESS_KEY_ID": "key-id",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_S3_REGION_NAME": "eu-west-1",
    "AWS_S3_CUSTOM_DOMAIN": "cdn.example.com",
}


def test_by_default_files_are_stored_under_media_root():
    settings = production_settings(MEDIA_ROOT="/srv/shop/media")

    assert settings.STORAGES["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert (str(settings.MEDIA_ROOT), settings.MEDIA_URL) == ("/srv/shop/media", "/media/")


def test_with_media_storage_s3_files_go_to_the_bucket_the_environment_names():
    settings = production_settings(**S3)

    with override_settings(STORAGES=settings.STORAGES):
        storage = storages.create_storage(settings.STORAGES["default"])
        url = storage.url("products/1/a.jpg")

    assert type(storage).__module__ == "storages.backends.s3"
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        "shop-media",
        "https://minio.example.com",
        "eu-west-1",
    )
    assert (storage.access_key, storage.secret_key) == ("key-id", "secret")
    # Public, unsigned URLs on the custom domain (a CDN): no request to the store is made.
    assert url == "https://cdn.example.com/products/1/a.jpg"


@pytest.mark.parametrize(
    "environment",
    [{"MEDIA_STORAGE": "s3"}, {"MEDIA_STORAGE": "ftp"}],
    ids=["s3-without-bucket", "unknown"],
)
def test_a_storage_that_cannot_work_stops_the_start(environment):
    with pytest.raises(ImproperlyConfigured):
        production_settings(**environment)
