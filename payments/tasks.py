"""The payments app's scheduled work (Celery tasks; the beat schedule names them)."""

from celery import shared_task

from payments import services


@shared_task(name="payments.reconcile_payments")
def reconcile_payments() -> int:
    """Settle the payments stuck `processing` by asking their provider; how many settled."""
    return services.reconcile_processing_payments()


@shared_task(name="payments.prune_webhook_events")
def prune_webhook_events() -> int:
    """Delete the processed webhook events past their retention; how many were deleted."""
    return services.prune_processed_webhook_events()
