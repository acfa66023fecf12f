"""The beat schedule names tasks the worker knows, each named `<app>.<function>` after the
module that defines it, so a renamed or moved task cannot leave the scheduler sending messages
no worker will run."""

from django.conf import settings

from shop.celery import app

SHOP_APPS = ("kernel", "accounts", "catalog", "orders", "payments")


def shop_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(SHOP_APPS)}


def test_every_scheduled_task_is_a_task_the_worker_knows():
    unknown = {
        entry: spec["task"]
        for entry, spec in settings.CELERY_BEAT_SCHEDULE.items()
        if spec["task"] not in shop_tasks()
    }
    assert not unknown


def test_every_task_is_named_after_its_app_and_function():
    tasks = shop_tasks()
    assert len(tasks) >= 5
    for name, task in tasks.items():
        app_label = task.run.__module__.split(".")[0]
        assert name == f"{app_label}.{task.run.__name__}", task.run.__module__


def test_the_expiry_reconciliation_relay_and_housekeeping_are_scheduled():
    assert {spec["task"] for spec in settings.CELERY_BEAT_SCHEDULE.values()} == {
        "kernel.relay_events",
        "kernel.prune_idempotency_keys",
        "kernel.prune_sent_events",
        "kernel.prune_consumed_events",
        "kernel.dispatch_webhooks",
        "kernel.prune_webhook_deliveries",
        "orders.expire_orders",
        "payments.reconcile_payments",
        "payments.prune_webhook_events",
    }
