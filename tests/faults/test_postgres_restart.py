"""PostgreSQL crashes and restarts while customers are buying, under a server that stays up.

The test starts a PostgreSQL instance of its own (never the machine's), migrates it, seeds
products and customers, and runs a real gunicorn (2 workers, production settings, persistent
connections with health checks) against it. Customers place orders with `Idempotency-Key`s,
pay them, cancel some and read their lists from several threads; in the middle PostgreSQL is
stopped as by a crash (`pg_ctl stop -m immediate`) and started again 2 s later. Every answer
meanwhile is JSON, a 503 with `Retry-After` while the database is down, none a 500 or a hang;
the same gunicorn master answers health 200 within seconds of the restart; the customers'
unfinished requests, retried with their keys, complete; and the database holds no half-written
state: stock and the live orders' units add up, every order has its lines and its first event,
every paid order exactly one succeeded payment of its total, and the provider keeps exactly
the paid orders' money.
"""

import contextlib
import itertools
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PASSWORD
from tests.servers import Server, free_port, manage

pytestmark = pytest.mark.postgres(
    "crashes a PostgreSQL instance of its own; it runs once, in the PostgreSQL suite"
)

PRODUCTS = 3
# Enough that no burst of orders, on however fast a machine, sells a product out: a sold-out
# product would answer a retried order 409, which says nothing about the outage.
INITIAL_STOCK = 100_000
CUSTOMERS = 4
LOAD_BEFORE, OUTAGE, LOAD_AFTER = 3.0, 2.0, 4.0
RECOVERY_BOUND = 10.0


def _postgres_bindir() -> Path:
    """The directory of `pg_ctl` and `initdb`: on the PATH, or Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    assert versions, "PostgreSQL's server binaries (pg_ctl, initdb) are not installed"
    return versions[-1].parent


class PostgresInstance:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free loopback port.

    PostgreSQL refuses to run as root, so under root (CI) it runs as the `postgres` user.
    """

    def __init__(self) -> None:
        self.bindir = _postgres_bindir()
        self.directory = Path(tempfile.mkdtemp(prefix="shop-pg-restart-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres", group="postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync")
        settings = (
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
            f"unix_socket_directories = '{self.directory}'\nfsync = off\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args) -> None:
        path = self.bindir / program if (self.bindir / program).exists() else program
        subprocess.run(
            [*self.as_owner, str(path), *map(str, args)],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "30", "start")

    def crash(self) -> None:
        """Stop at once, as a crash would: no checkpoint, the next start replays the WAL."""
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.crash()
        shutil.rmtree(self.directory, ignore_errors=True)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url, connect_timeout=5) as conn:
            return conn.execute(sql).fetchall()


SEED = """
import json
from tests.factories import make_product, make_user
products = [make_product(price="{price}", stock={stock}).id for _ in range({products})]
customers = [make_user().email for _ in range({customers})]
print(json.dumps({{"products": products, "customers": customers}}))
"""


@dataclass
class Answer:
    method: str
    path: str
    status: int | None
    content_type: str
    retry_after: str
    seconds: float


@dataclass
class Customer:
    """One client: what it asked and was answered, and its requests still unfinished."""

    token: str
    answers: list[Answer] = field(default_factory=list)
    unfinished: dict[str, tuple[str, dict]] = field(default_factory=dict)
    last_order: tuple[str, dict, int, dict] | None = None


def _call(server: Server, customer: Customer, method: str, path: str, body=None, key=""):
    started = time.monotonic()
    status, headers, text = server.request(
        method, path, body, customer.token, {"Idempotency-Key": key} if key else {}
    )
    customer.answers.append(
        Answer(
            method,
            path,
            status,
            headers.get("Content-Type", "") if headers else "",
            headers.get("Retry-After", "") if headers else "",
            time.monotonic() - started,
        )
    )
    payload = json.loads(text) if text and status else None
    if key:
        if status is None or status >= 500:
            customer.unfinished[key] = (path, body)
        else:
            customer.unfinished.pop(key, None)
            fresh = customer.last_order is None or customer.last_order[0] != key
            if key.startswith("order-") and status == 201 and fresh:
                customer.last_order = (key, body, status, payload)
    return status, payload


def _shop(server: Server, customer: Customer, products: list[int], stop, seed: int) -> None:
    """A customer buying until told to stop: order, pay, sometimes cancel, read the list."""
    rng = random.Random(seed)
    for n in itertools.count():
        if stop.is_set():
            return
        items = [{"product_id": rng.choice(products), "quantity": rng.randint(1, 3)}]
        status, order = _call(
            server, customer, "POST", "/api/v1/orders/", {"items": items}, f"order-{seed}-{n}"
        )
        if status == 201:
            body = {"order_id": order["id"], "token": "tok_visa"}
            paid, _ = _call(server, customer, "POST", "/api/v1/payments/", body, f"pay-{seed}-{n}")
            if paid == 201 and n % 3 == 0:
                _call(server, customer, "POST", f"/api/v1/orders/{order['id']}/cancel/")
        _call(server, customer, "GET", "/api/v1/orders/")
        _call(server, customer, "GET", "/api/v1/products/")


@pytest.fixture
def postgres():
    instance = PostgresInstance()
    try:
        instance.start()
        yield instance
    finally:
        instance.destroy()


def _consistency_problems(postgres: PostgresInstance, products: list[int]) -> list[str]:
    """Every broken invariant in the database, described; empty when nothing is half-written."""
    problems = []
    ids = ",".join(map(str, products))
    for variant_id, stock, live_units in postgres.query(
        f"""SELECT v.id, v.stock,
                   COALESCE(SUM(l.quantity) FILTER (WHERE o.status <> 'cancelled'), 0)
            FROM catalog_productvariant v
            LEFT JOIN orders_orderline l ON l.variant_id = v.id
            LEFT JOIN orders_order o ON o.id = l.order_id
            WHERE v.product_id IN ({ids}) GROUP BY v.id, v.stock"""
    ):
        if stock + live_units != INITIAL_STOCK:
            problems.append(f"variant {variant_id}: stock {stock} + live units {live_units}")
    problems += [
        f"order {order_id} ({status}): {lines} lines, {pending} pending events"
        for order_id, status, lines, pending in postgres.query(
            """SELECT o.id, o.status,
                      (SELECT COUNT(*) FROM orders_orderline l WHERE l.order_id = o.id),
                      (SELECT COUNT(*) FROM orders_orderevent e
                        WHERE e.order_id = o.id AND e.status = 'pending')
               FROM orders_order o"""
        )
        if lines == 0 or pending != 1
    ]
    problems += [
        f"order {order_id} ({status}, {total}): {succeeded} succeeded payments of {amounts}, "
        f"{processing} processing, the provider keeps {kept}"
        for order_id, status, total, succeeded, amounts, processing, kept in postgres.query(
            """SELECT o.id, o.status, o.total,
                      COUNT(p.id) FILTER (WHERE p.status = 'succeeded'),
                      COALESCE(SUM(p.amount) FILTER (WHERE p.status = 'succeeded'), 0),
                      COUNT(p.id) FILTER (WHERE p.status = 'processing'),
                      COALESCE((SELECT SUM(c.amount - c.refunded_amount)
                                FROM payments_sandboxcharge c
                                JOIN payments_payment q
                                  ON c.idempotency_key = 'payment-' || q.id
                                WHERE q.order_id = o.id AND c.status = 'succeeded'), 0)
               FROM orders_order o LEFT JOIN payments_payment p ON p.order_id = o.id
               GROUP BY o.id, o.status, o.total"""
        )
        if processing
        or (status == "paid" and (succeeded, amounts, kept) != (1, total, total))
        or (status != "paid" and (succeeded, kept) != (0, Decimal("0.00")))
    ]
    return problems


def test_postgres_crashing_under_load_is_503_then_the_same_server_recovers_consistently(
    postgres, tmp_path, collected_static
):
    manage(postgres.url, "migrate", "--noinput", "-v", "0")
    seeded = json.loads(
        manage(
            postgres.url,
            *("shell", "-v", "0", "-c"),
            SEED.format(price="7.50", stock=INITIAL_STOCK, products=PRODUCTS, customers=CUSTOMERS),
        )
    )
    server = Server(
        postgres.url,
        tmp_path,
        static_root=collected_static,
        workers=2,
        THROTTLE_ORDER_PLACEMENT="10000/min",
    )
    try:
        customers = []
        for email in seeded["customers"]:
            status, _, text = server.request(
                "POST", "/api/v1/auth/token/", {"email": email, "password": PASSWORD}
            )
            assert status == 200, text
            customers.append(Customer(token=json.loads(text)["access"]))
        master = server.process.pid
        stop = threading.Event()
        threads = [
            threading.Thread(target=_shop, args=(server, c, seeded["products"], stop, n))
            for n, c in enumerate(customers)
        ]
        for thread in threads:
            thread.start()

        time.sleep(LOAD_BEFORE)
        postgres.crash()
        crashed = time.monotonic()
        down = server.request("GET", "/api/v1/health/")
        time.sleep(OUTAGE)
        postgres.start()
        recovered = None
        while recovered is None and time.monotonic() - crashed < OUTAGE + RECOVERY_BOUND:
            if server.request("GET", "/api/v1/health/")[0] == 200:
                recovered = time.monotonic()
            else:
                time.sleep(0.1)
        time.sleep(LOAD_AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

        assert down[0] == 503
        assert int(down[1]["Retry-After"]) > 0
        assert recovered is not None, server.log.read_text()[-3000:]
        assert server.process.poll() is None
        assert server.process.pid == master
        answers = [answer for customer in customers for answer in customer.answers]
        statuses = {answer.status for answer in answers}
        assert 503 in statuses  # the load did run into the outage
        assert statuses <= {200, 201, 503}, statuses
        assert all(answer.content_type == "application/json" for answer in answers)
        assert all(int(a.retry_after) > 0 for a in answers if a.status == 503)
        assert max(answer.seconds for answer in answers) < 10

        for customer in customers:
            for key, (path, body) in list(customer.unfinished.items()):
                status, payload = _call(server, customer, "POST", path, body, key)
                if status == 409 and payload["code"] == "idempotency_key_in_progress":
                    # A payment's claim is committed before the provider is asked, so one whose
                    # release the outage prevented is in progress until it is stale; the
                    # customer pays with another key, which settles the same attempt.
                    assert key.startswith("pay-"), (key, payload)
                    status, payload = _call(server, customer, "POST", path, body, f"{key}-again")
                assert status == 201 or payload.get("current_status") == "paid", (key, payload)
            key, body, status, payload = customer.last_order
            replayed = _call(server, customer, "POST", "/api/v1/orders/", body, key)
            assert replayed == (status, payload)
        assert _consistency_problems(postgres, seeded["products"]) == []
    finally:
        server.stop()
