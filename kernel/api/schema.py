"""OpenAPI pieces for the error shapes, so every documented 4xx has a body schema.

Views document the errors of their own logic with `error_responses(...)`. The errors that the
shared plumbing can give on any operation (too many query parameters, bad credentials, CSRF, a
page past the end, a body too large or not JSON, a throttle, the database being down) are
added by `AutoSchema` from the view's own configuration, so that no operation can answer a
status its document leaves out.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS

ErrorSerializer = inline_serializer(
    name="Error",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)

VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Validation error: `{"field": ["message", ...]}` (DRF\'s shape).',
)

_DESCRIPTIONS = {
    401: "Not authenticated.",
    402: "Payment declined.",
    403: "Authenticated but not allowed.",
    404: "Not found (or not yours to see).",
    409: "Conflicts with the current state.",
    413: "Request body too large.",
    415: "Unsupported media type: the body must be JSON.",
    422: "Unprocessable.",
    429: "Throttled; see the Retry-After header.",
    502: "The payment provider did not answer.",
    503: "Service unavailable.",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """`{status: OpenApiResponse}` for the given error statuses (400 is the validation shape)."""
    responses: dict[int, OpenApiResponse] = {}
    for code in status_codes:
        if code == 400:
            responses[code] = VALIDATION_ERROR
        else:
            responses[code] = OpenApiResponse(
                response=ErrorSerializer, description=_DESCRIPTIONS[code]
            )
    return responses


_PLUMBING_DESCRIPTIONS = {
    400: "More query parameters than the server accepts (`DATA_UPLOAD_MAX_NUMBER_FIELDS`).",
    401: "The credentials sent (a bearer token or a session) are not valid.",
    403: "Signed in with a browser session but without a valid CSRF token.",
    404: "`page` is past the last page.",
    413: "`request_too_large`: the body is larger than the server accepts.",
    415: "The body is not `application/json`.",
    429: "Throttled; the `Retry-After` header says when to try again.",
    503: "`service_unavailable`: the database does not answer; see `Retry-After`.",
}


class AutoSchema(SpectacularAutoSchema):
    """Documents, on each operation, the errors the shared plumbing can give it."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._plumbing_errors(operation):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_PLUMBING_DESCRIPTIONS[code]),
                    str(code),
                )
        return operation

    def _plumbing_errors(self, operation: dict) -> list[int]:
        view = self.view
        codes = [400]
        authenticators = view.authentication_classes
        if authenticators:
            codes.append(401)
        if self.method not in SAFE_METHODS and any(
            issubclass(authenticator, SessionAuthentication) for authenticator in authenticators
        ):
            codes.append(403)
        if any(p["in"] == "query" and p["name"] == "page" for p in operation.get("parameters", [])):
            codes.append(404)
        if "requestBody" in operation and view.parser_classes:
            codes += [413, 415]
        if view.get_throttles():
            codes.append(429)
        codes.append(503)
        return codes
