"""The real broker: RabbitMQ at 127.0.0.1:5672 (guest/guest), which .ci/run makes sure of."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from kombu import Connection, Queue
from kombu.exceptions import OperationalError

from kernel import consumers, outbox

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    """The broker's URL; skipped with the reason when none answers, but a failure in CI."""
    try:
        with Connection(RABBITMQ_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except (OperationalError, OSError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run RabbitMQ at {RABBITMQ_URL} (.ci/run starts it): {error}")
        pytest.skip(f"Needs RabbitMQ at {RABBITMQ_URL} (start it, as .ci/run does): {error}")
    return RABBITMQ_URL


@pytest.fixture
def events_queue(rabbitmq_url):
    """A queue of this test alone bound to `shop.events` for every routing key; other test runs
    publish to the same exchange, so tests pick their own events out by id."""
    with Connection(rabbitmq_url) as connection:
        queue = Queue(f"test-outbox-{uuid.uuid4().hex}", exchange=outbox.EXCHANGE, routing_key="#")(
            connection
        )
        queue.declare()
        yield queue
        queue.delete()


@pytest.fixture
def rabbitmq_vhost(rabbitmq_url):
    """The URL of a virtual host of this test alone on the machine's RabbitMQ, deleted after it:
    a worker on it sees no other run's tasks, queues or events. Made with `rabbitmqctl`, which
    runs beside the broker (as on this machine and in CI)."""
    rabbitmqctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    if not Path(rabbitmqctl).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have rabbitmqctl beside RabbitMQ (.ci/run installs it)")
        pytest.skip("Needs rabbitmqctl beside RabbitMQ to make a virtual host of the test's own")
    vhost = f"shop-test-{uuid.uuid4().hex}"

    def control(*args: str) -> None:
        subprocess.run([rabbitmqctl, *args], check=True, capture_output=True, timeout=60)

    control("add_vhost", vhost)
    try:
        control("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://{urlsplit(rabbitmq_url).netloc}/{vhost}"
    finally:
        control("delete_vhost", vhost)


@pytest.fixture(autouse=True)
def consumer_queues_of_the_tests_own(request, settings):
    """The shop's consumers' queues under a prefix of this test alone, deleted after it: a relay
    run by a test declares them on the machine's broker, where a worker of the real shop (or
    of another run) must never find the test's events."""
    settings.EVENT_QUEUE_PREFIX = f"test-{uuid.uuid4().hex}."
    yield
    if "rabbitmq_url" not in request.fixturenames:
        return
    with Connection(request.getfixturevalue("rabbitmq_url")) as connection:
        for consumer in consumers.registered():
            consumer.queue(outbox.EXCHANGE)(connection).delete()
