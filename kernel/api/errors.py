"""One error shape for the whole API.

Errors that are not about a field: `{"detail": "...", "code": "..."}` (plus any extra keys a
domain error carries). Validation errors keep DRF's `{"field": ["message", ...]}` shape.

Two failures that are not the client's fault still get that shape rather than a bare 500: a
body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` is a 413, and a database that does not answer
(connection refused, dropped, timed out) is a 503 with `Retry-After`, so clients back off and
retry; the server reconnects by itself once the database is back. `ServiceUnavailable`, raised
where another service a request cannot do without does not answer (the cache that holds the
throttle counts), is the same 503.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.exceptions import DomainError, FieldError

logger = logging.getLogger(__name__)


class ServiceUnavailable(Exception):
    """A service the request cannot do without, other than the database, does not answer."""


WWW_AUTHENTICATE = 'Bearer realm="api"'
RETRY_AFTER_DATABASE_SECONDS = 5


def request_too_large() -> dict[str, str]:
    """The 413's body, here and at the WSGI entry (`kernel.wsgi`) for a chunked body."""
    return {
        "detail": "The request body is larger than the "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes accepted.",
        "code": "request_too_large",
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _render(exc, context)
    if response is not None and response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return response


def _render(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, FieldError):
        return Response({exc.field: [exc.detail]}, status=exc.status_code)
    if isinstance(exc, DomainError):
        return Response(
            {"detail": exc.detail, "code": exc.code, **exc.extra},
            status=exc.status_code,
            headers=None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, OperationalError | InterfaceError | ServiceUnavailable):
        logger.warning("A service did not answer: %s", exc, exc_info=exc)
        return Response(
            {
                "detail": "The service is temporarily unavailable; try again shortly.",
                "code": "service_unavailable",
            },
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_DATABASE_SECONDS)},
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(request_too_large(), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        if isinstance(response.data, list):
            response.data = {"non_field_errors": response.data}
        return response

    if isinstance(exc.detail, dict) and {"detail", "code"} <= exc.detail.keys():
        # simplejwt nests its own {"detail", "code", "messages"} inside `detail`.
        response.data = {"detail": str(exc.detail["detail"]), "code": str(exc.detail["code"])}
        return response

    codes = exc.get_codes()
    response.data = {
        "detail": str(exc.detail) if not isinstance(exc.detail, (dict, list)) else exc.detail,
        "code": codes if isinstance(codes, str) else "error",
    }
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response.data["retry_after"] = int(exc.wait) + (0 if exc.wait == int(exc.wait) else 1)
    return response
