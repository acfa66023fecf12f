"""A chunked request body reaches Django whole, or is refused with a JSON 411 or 413.

The WSGI entry (`shop.wsgi.application`) is called with crafted environs; the application
behind `kernel.wsgi.ChunkedBodies` here is one that reports the body Django reads.
"""

import io
import json
from wsgiref.util import setup_testing_defaults

from django.core.handlers.wsgi import WSGIRequest

from kernel.wsgi import ChunkedBodies
from shop.wsgi import application as shop_application

BODY = json.dumps({"items": [{"product_id": 1, "quantity": 2}]}).encode()


def _environ(body: bytes, *, terminated: bool, **headers: str) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/orders/",
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
        **headers,
    }
    if terminated:
        environ["wsgi.input_terminated"] = True
    setup_testing_defaults(environ)
    return environ


def _call(application, environ) -> tuple[str, dict[str, str], bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    content = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], content


def _what_django_reads(environ, start_response):
    request = WSGIRequest(environ)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [
        json.dumps(
            {"body": request.body.decode(), "length": request.META["CONTENT_LENGTH"]}
        ).encode()
    ]


def _read_by_django(environ) -> dict:
    status, _, content = _call(ChunkedBodies(_what_django_reads), environ)
    assert status == "200 OK"
    return json.loads(content)


def test_a_chunked_body_from_a_server_that_ends_it_reaches_django_whole():
    environ = _environ(BODY, terminated=True, HTTP_TRANSFER_ENCODING="chunked")

    assert _read_by_django(environ) == {"body": BODY.decode(), "length": str(len(BODY))}


def test_chunked_among_other_codings_counts_as_chunked():
    environ = _environ(BODY, terminated=True, HTTP_TRANSFER_ENCODING="gzip, Chunked")

    assert _read_by_django(environ)["body"] == BODY.decode()


def test_a_body_with_a_content_length_is_left_as_it_is():
    environ = _environ(BODY, terminated=True, CONTENT_LENGTH="9")

    assert _read_by_django(environ) == {"body": BODY[:9].decode(), "length": "9"}


def test_a_chunked_body_of_exactly_the_limit_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(BODY)
    environ = _environ(BODY, terminated=True, HTTP_TRANSFER_ENCODING="chunked")

    assert _read_by_django(environ)["body"] == BODY.decode()


def test_a_chunked_body_over_the_limit_is_a_json_413_before_django_sees_it(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    environ = _environ(b"x" * 1025, terminated=True, HTTP_TRANSFER_ENCODING="chunked")

    status, headers, content = _call(shop_application, environ)

    assert status.startswith("413 ")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(content) == {
        "detail": "The request body is larger than the 1024 bytes accepted.",
        "code": "request_too_large",
    }


def test_a_chunked_body_a_server_cannot_end_is_a_json_411():
    environ = _environ(BODY, terminated=False, HTTP_TRANSFER_ENCODING="chunked")

    status, headers, content = _call(shop_application, environ)

    assert status.startswith("411 ")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(content)["code"] == "length_required"
    assert "Content-Length" in json.loads(content)["detail"]
