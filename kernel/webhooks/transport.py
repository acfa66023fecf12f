"""One webhook POST, with the standard library's `http.client`, to an address checked before.

The connection goes to the IP address `addresses.allowed_addresses` approved (the URL's host
still names the `Host` header and, over HTTPS, the certificate to verify), so a DNS answer
that changed since the check cannot send it elsewhere. Redirects are not followed: a 3xx is an
answer that is not 2xx, a failure. The socket's timeout bounds each wait, and a timer bounds the
whole exchange, so a receiver that trickles its answer cannot hold a worker past the timeout.
"""

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import SplitResult

from kernel.webhooks.addresses import port_of

TIMEOUT_SECONDS = 10
MAX_ERROR_LENGTH = 200


@dataclass(frozen=True)
class Outcome:
    """The receiver's status code (None when none came) and, unless it was 2xx, why not."""

    status_code: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedConnection:
    """Connects to `address` whatever `host` resolves to now."""

    address: str
    raw_socket: socket.socket | None = None
    aborted = False

    def _open(self) -> socket.socket:
        self.raw_socket = socket.create_connection((self.address, self.port), self.timeout)
        return self.raw_socket

    def abort(self) -> None:
        """Cut the exchange short from another thread: a blocked read fails at once."""
        self.aborted = True
        if self.raw_socket is not None:
            with contextlib.suppress(OSError):
                self.raw_socket.shutdown(socket.SHUT_RDWR)


class _HTTPConnection(_PinnedConnection, http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = self._open()


class _HTTPSConnection(_PinnedConnection, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)


def post(
    *,
    url: SplitResult,
    address: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float | None = None,
) -> Outcome:
    """POST `body` to `url` at `address`, within `timeout` seconds (`TIMEOUT_SECONDS` unless
    given); never raises for what the network or the receiver does."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    connection_class = _HTTPSConnection if url.scheme == "https" else _HTTPConnection
    connection = connection_class(url.hostname, port_of(url), address=address, timeout=timeout)
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    deadline = threading.Timer(timeout, connection.abort)
    deadline.daemon = True
    deadline.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        status_code = connection.getresponse().status
    except (OSError, http.client.HTTPException, ValueError) as error:
        timed_out = isinstance(error, TimeoutError) or connection.aborted
        reason = f"Timed out after {timeout:g} s." if timed_out else repr(error)
        return Outcome(status_code=None, error=reason[:MAX_ERROR_LENGTH])
    finally:
        deadline.cancel()
        connection.close()
    if 200 <= status_code < 300:
        return Outcome(status_code=status_code)
    return Outcome(status_code=status_code, error=f"Answered HTTP {status_code}.")
