"""The order confirmation as production sends it: an order placed in one process is written to
the outbox, the relay in a Celery worker (a separate process, on a broker of its own) publishes
`order.placed` to `shop.events`, the queue of the consumer `orders.emails` receives it, and the
worker's `kernel.consume_event` writes the email into EMAIL_FILE_PATH, once."""

import time

from tests.factories import ADDRESS
from tests.servers import Worker, manage, wait_until

EMAIL = "ada@example.com"
PLACE_AN_ORDER = f"""
from decimal import Decimal
from accounts.services import create_user
from catalog.services import create_product
from orders.dtos import OrderItem
from orders.services import place_order
customer = create_user(email={EMAIL!r}, password="a-passphrase-1", first_name="Ada")
mug = create_product(sku="MUG-1", name="Blue mug", price=Decimal("12.50"), stock=10)
items = [OrderItem(product_id=mug.id, quantity=2)]
order = place_order(customer_id=customer.id, items=items, shipping_address={ADDRESS!r})
print(order.number)
"""


def test_the_worker_emails_the_confirmation_of_an_order_once(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    mail = tmp_path / "mail"
    settings = {
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "EMAIL_FILE_PATH": str(mail),
        "SHOP_CURRENCY": "EUR",
    }
    manage(database_url, "migrate", "--noinput", **settings)
    worker = Worker(database_url, tmp_path, **settings)
    try:
        number = manage(database_url, "shell", "-v", "0", "-c", PLACE_AN_ORDER, **settings).strip()

        wait_until(lambda: mail.exists() and any(mail.glob("*.log")), worker.process, worker.log)
        time.sleep(1.5)  # the worker polls its broker each second: no second email comes
        (email,) = [path.read_text() for path in mail.glob("*.log")]
    finally:
        worker.stop()

    assert f"To: {EMAIL}" in email
    assert f"Subject: Your shop order {number}" in email
    assert "- Blue mug (SKU MUG-1): 2 × 12.50 EUR = 25.00 EUR" in email
    assert "Total: 25.00 EUR" in email
    assert "Content-Type: text/html" in email
