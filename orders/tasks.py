"""The orders app's background work, run by the worker on the scheduler's beat."""

from celery import shared_task

from orders import services


@shared_task(name="orders.expire_orders", ignore_result=True)
def expire_orders() -> int:
    """Cancel the pending orders whose payment window has closed; how many. Safe to run twice
    or at once: each order is expired under its lock, once."""
    return services.expire_overdue_orders()
