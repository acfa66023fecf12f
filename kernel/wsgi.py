"""A request body sent chunked (`Transfer-Encoding: chunked`) is read, or refused with a 411.

Django reads a body only as far as its `Content-Length`, and a chunked request has none: its
body reads as empty, so an order is a confusing 400 and a correctly signed webhook "does not
match" its signature. Behind nginx (`manage.py serve`) this never arrives, since nginx reads
the chunks and passes the body on with a `Content-Length`; a bare gunicorn or `runserver` pass
the chunked request on as it is. Here, where the server de-chunks the body and says where it
ends (`wsgi.input_terminated`, PEP 3333's extension that gunicorn sets), the body is read up to
`DATA_UPLOAD_MAX_MEMORY_SIZE` (over it: 413 `request_too_large`, as for any body) and handed
to Django with its length; a server that cannot say where the body ends gets 411
`length_required`.
"""

import io
import json

from django.conf import settings

from kernel.api.errors import request_too_large

LENGTH_REQUIRED = {
    "detail": "A request body needs a Content-Length header (this server cannot read a "
    "chunked body).",
    "code": "length_required",
}
READ_SIZE = 64 * 1024


class ChunkedBodies:
    """WSGI middleware around Django's application: see the module's docstring."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.application(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            return _json(start_response, "411 Length Required", LENGTH_REQUIRED)
        body = _read(environ["wsgi.input"], settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if body is None:
            return _json(start_response, "413 Content Too Large", request_too_large())
        environ = {
            **{key: value for key, value in environ.items() if key != "HTTP_TRANSFER_ENCODING"},
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
        }
        return self.application(environ, start_response)


def _read(stream, limit: int | None) -> bytes | None:
    """The whole body, or None once it is longer than `limit` bytes (None: no limit)."""
    parts, size = [], 0
    while chunk := stream.read(READ_SIZE):
        parts.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            return None
    return b"".join(parts)


def _json(start_response, status: str, body: dict[str, str]) -> list[bytes]:
    content = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(content))),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [content]
