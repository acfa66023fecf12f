"""The catalog's background work, run by the worker."""

from celery import shared_task

from catalog import services


@shared_task(name="catalog.make_image_renditions", ignore_result=True)
def make_image_renditions(image_id: int) -> bool:
    """Make an uploaded image's thumbnail and large renditions (sent once the upload commits);
    safe to run twice or at once."""
    return services.make_image_renditions(image_id=image_id)
