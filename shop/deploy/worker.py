"""gunicorn's sync worker, whose own error pages are JSON like the API's (`manage.py serve`).

nginx passes on some requests gunicorn then refuses before Django sees them (a raw UTF-8 byte
in the URL, a control character in a header value, two `Content-Type` headers): gunicorn
answers those with an HTML page. This worker lets gunicorn decide the status as it always
does, and sends `{"detail", "code"}` with it instead of the page.
"""

import json

from gunicorn import util
from gunicorn.workers.sync import SyncWorker as GunicornSyncWorker

ERRORS = {
    400: ("The request is malformed.", "bad_request"),
    403: ("The request is forbidden.", "forbidden"),
    414: ("The request URL is longer than the server accepts.", "uri_too_long"),
    417: ("The request's Expect header cannot be met.", "expectation_failed"),
    431: (
        "The request headers are larger than the server accepts.",
        "request_header_fields_too_large",
    ),
    500: ("A server error occurred.", "server_error"),
    501: ("The request uses a Transfer-Encoding the server does not implement.", "not_implemented"),
}


class _Captured:
    """The client's socket, except that what gunicorn sends is kept instead of sent."""

    def __init__(self, sock) -> None:
        self._sock = sock
        self.sent = b""

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def __getattr__(self, name):
        return getattr(self._sock, name)


class SyncWorker(GunicornSyncWorker):
    def handle_error(self, req, client, addr, exc):
        captured = _Captured(client)
        super().handle_error(req, captured, addr, exc)
        if not captured.sent:
            return
        status_line = captured.sent.split(b"\r\n", 1)[0].decode("latin-1")
        status = int(status_line.split()[1])
        detail, code = ERRORS.get(status, ERRORS[400])
        body = json.dumps({"detail": detail, "code": code}).encode()
        head = (
            f"{status_line}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n"
        )
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except OSError:
            self.log.debug("Failed to send error message.")
