"""OpenAPI pieces for the error shapes, so every documented 4xx has a body schema."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

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
    415: "Unsupported media type.",
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
