"""Integrations staff, and a real HTTP receiver on 127.0.0.1 that webhooks are POSTed to."""

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from kernel.consumers import Event
from tests.conftest import client_for
from tests.servers import free_port


@pytest.fixture
def integrations_client(make_staff) -> APIClient:
    """Staff in the `Integrations` group, which the kernel's migration creates."""
    return client_for(make_staff("Integrations", first_name="Ida", last_name="Integrations"))


@pytest.fixture
def private_urls_allowed(settings) -> None:
    """The receiver runs on 127.0.0.1, which production refuses."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver answers (`status`, after `delay` seconds; `location` for a redirect;
    `trickle`: the status line one byte every `trickle` seconds; `on_request` runs first, in the
    server's thread), and what it received."""

    url: str
    status: int = 204
    delay: float = 0.0
    location: str = ""
    trickle: float = 0.0
    on_request: Callable[[], None] | None = None
    received: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if receiver.on_request is not None:
                receiver.on_request()
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            time.sleep(receiver.delay)
            if receiver.trickle:
                with contextlib.suppress(ConnectionError):  # the client gave up
                    for byte in f"HTTP/1.1 {receiver.status} OK\r\n\r\n".encode():
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.trickle)
                return
            self.send_response(receiver.status)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(private_urls_allowed):
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hooks?source=shop")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


def make_event(number: int = 1, type: str = "order.paid") -> Event:
    return Event(
        id=f"evt_{number:024x}",
        type=type,
        created_at="2026-12-02T12:00:00Z",
        data={"id": number, "total": "19.99", "note": "Grüße"},
    )
