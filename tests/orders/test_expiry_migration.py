"""The migration that brings expiry: an order already pending gets a full payment window from
the upgrade (not from when it was placed, which could refuse a customer paying right then);
an order in any other status gets no `expires_at`, and no order gets a cancellation reason."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE, EXPIRY = ("orders", "0003_refunded_status"), ("orders", "0004_expiry")


@pytest.fixture
def orders_before_expiry(transactional_db):
    """The schema as it was before expiry; put back to the latest migrations afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_pending_orders_get_a_full_window_from_the_upgrade_and_others_none(
    orders_before_expiry, customer, settings
):
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 900
    Order = orders_before_expiry.get_model("orders", "Order")
    long_ago = timezone.now() - timedelta(days=3)
    fields = {"customer_id": customer.pk, "subtotal": 5, "total": 5, "currency": "USD"}
    pending = Order.objects.create(number="OLD-1", status="pending", created_at=long_ago, **fields)
    paid = Order.objects.create(number="OLD-2", status="paid", created_at=long_ago, **fields)
    cancelled = Order.objects.create(number="OLD-3", status="cancelled", **fields)

    started = timezone.now()
    executor = MigrationExecutor(connection)
    executor.migrate([EXPIRY])
    Order = executor.loader.project_state([EXPIRY]).apps.get_model("orders", "Order")

    window = timedelta(seconds=900)
    migrated = Order.objects.get(pk=pending.pk)
    assert started + window <= migrated.expires_at <= timezone.now() + window
    assert Order.objects.get(pk=paid.pk).expires_at is None
    assert [
        order.cancellation_reason for order in Order.objects.filter(pk__in=[paid.pk, cancelled.pk])
    ] == [None, None]
