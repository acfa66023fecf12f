"""The one way every app documents its API in the OpenAPI schema (the storefront's SDK).

A view documents itself like this, and in no other way:

- `@extend_schema(tags=["<app>"])` on the view class;
- `@extend_schema(summary=..., description=..., request=..., responses=...)` on each method,
  with `responses={200: ReadSerializer, **error_responses(404, ...)}` for the errors of its own
  logic; an error body with extra keys is an `ErrorSerializer` subclass given to
  `error_response(...)`, and several shapes for one status are `any_of(...)`;
- query parameters as a serializer (`parameters=[ParamsSerializer]`, the view's query
  serializer, whose `page` and `page_size` the paginator documents) or a django-filter
  `FilterSet`; the `Idempotency-Key` header and the `Idempotent-Replayed` response header as
  `idempotency_parameters(...)`.

Everything else is derived here by `AutoSchema`, so no view restates it:

- who may call an operation anonymously: `security` lists `{}` when every permission class of
  the view admits an anonymous request of the operation's method (`has_permission` is asked
  with an anonymous request; nothing else about a permission class is assumed);
- path ids: a path variable `id` is an integer ("The <resource>'s id."), in every app;
- the errors the shared plumbing can give any operation (an unknown, repeated or too many
  query parameters, an unknown `format`, bad credentials, CSRF, a page past the end, a body
  too large or not JSON, a throttle, the database being down), from the view's own
  configuration, so that no operation can answer a status its document leaves out;
  `Retry-After` is declared on every 429 and 503;
- response objects list every key as required: a serializer renders all its fields. The rare
  key that is only sometimes there is named in the serializer's `optional_response_fields`;
- an optional request field's default is in its description (see `_describe_defaults`).

`reuse_enum_components` (a post-processing hook in `SPECTACULAR_SETTINGS`) makes a query
parameter whose values are an enum component's (say `?status=`) refer to that component.
"""

import json

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_mock_request
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS

from kernel.api.views import READS
from kernel.idempotency import HEADER as IDEMPOTENCY_HEADER


class ErrorSerializer(serializers.Serializer):
    """Every error that is not about a field: a message and a stable code."""

    optional_response_fields: tuple[str, ...] = ()

    detail = serializers.CharField(help_text="A message for people.")
    code = serializers.CharField(help_text="A stable code for programs.")


class ThrottledErrorSerializer(ErrorSerializer):
    """Too many requests: `code` is `throttled`."""

    retry_after = serializers.IntegerField(
        help_text="Seconds to wait before trying again (also the `Retry-After` header)."
    )


class ValidationErrorSerializer(serializers.Serializer):
    """DRF's shape: each invalid field (or `non_field_errors`) maps to its list of messages, or,
    for a nested object, to that object's errors in the same shape."""


class AnyOf(serializers.Serializer):
    """Several body shapes for one response; a client tells them apart by their keys."""

    def __init__(self, *choices: type[serializers.Serializer] | serializers.Serializer) -> None:
        super().__init__()
        self.choices = choices


class AnyOfExtension(OpenApiSerializerExtension):
    target_class = AnyOf
    match_subclasses = True

    def get_name(self, auto_schema, direction):
        """`AOrB` for the choices' components `A` and `B`."""
        return "Or".join(
            auto_schema.resolve_serializer(choice, direction).name for choice in self.target.choices
        )

    def map_serializer(self, auto_schema, direction):
        return {
            "anyOf": [
                auto_schema.resolve_serializer(choice, direction).ref
                for choice in self.target.choices
            ]
        }


class ValidationErrorExtension(OpenApiSerializerExtension):
    """`{"field": [...], ...}`: an object whose keys are the request's own field names."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "Each invalid field (or `non_field_errors`) maps to its list of messages, or, "
                "for a nested object, to that object's errors in the same shape."
            ),
            "additionalProperties": {},
        }


def any_of(*choices: type[serializers.Serializer]) -> AnyOf:
    """One response whose body is one of `choices` (`anyOf` of their components)."""
    return AnyOf(*choices)


_DESCRIPTIONS = {
    400: 'Validation error: `{"field": ["message", ...]}` (DRF\'s shape).',
    401: "Not authenticated.",
    402: "Payment declined.",
    403: "Authenticated but not allowed.",
    404: "Not found (or not yours to see).",
    409: "Conflicts with the current state.",
    413: "Request body too large.",
    415: "Unsupported media type: the body must be JSON.",
    422: "Unprocessable.",
    429: "Throttled; see the `Retry-After` header.",
    502: "The payment provider did not answer.",
    503: "Service unavailable; see the `Retry-After` header.",
}


def error_response(body, description: str) -> OpenApiResponse:
    """An error response with its own body shape (an `ErrorSerializer` subclass, `any_of`)."""
    return OpenApiResponse(response=body, description=description)


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """`{status: OpenApiResponse}` for the given error statuses, each with its body shape."""
    responses: dict[int, OpenApiResponse] = {}
    for code in status_codes:
        if code == 400:
            body = any_of(ErrorSerializer, ValidationErrorSerializer)
        elif code == 429:
            body = ThrottledErrorSerializer
        else:
            body = ErrorSerializer
        responses[code] = error_response(body, _DESCRIPTIONS[code])
    return responses


def idempotency_parameters(*replayed_statuses: int) -> list[OpenApiParameter]:
    """The `Idempotency-Key` request header, `Idempotent-Replayed` on the responses that can be
    replays (`replayed_statuses`) and `Retry-After` on the 409 of a twin in progress: what
    `kernel.idempotency.idempotent` reads and answers."""
    return [
        OpenApiParameter(
            IDEMPOTENCY_HEADER,
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=False,
            description=(
                "1–255 printable ASCII characters, scoped to you. Retrying with the same key "
                "and body returns the first successful response and does the work once; the "
                "same key with another body is 422 `idempotency_key_reused`; while the first "
                "request is still being processed a twin gets 409 `idempotency_key_in_progress`."
            ),
        ),
        OpenApiParameter(
            "Idempotent-Replayed",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            enum=["true"],
            response=list(replayed_statuses),
            description="`true` when this response is the replay of an earlier request's.",
        ),
        OpenApiParameter(
            "Retry-After",
            OpenApiTypes.INT,
            OpenApiParameter.HEADER,
            response=[409],
            description=(
                "With 409 `idempotency_key_in_progress`: seconds until the twin's claim may be "
                "taken over, should its request have died."
            ),
        ),
    ]


_PLUMBING_DESCRIPTIONS = {
    400: "A `format` the operation does not render (`unsupported_format`), or more query "
    "parameters than the server accepts (`DATA_UPLOAD_MAX_NUMBER_FIELDS`).",
    401: "The credentials sent (a bearer token or a session) are not valid.",
    403: "Signed in with a browser session but without a valid CSRF token.",
    404: "`page` is past the last page.",
    413: "`request_too_large`: the body is larger than the server accepts.",
    415: "The body is not `application/json`.",
    429: "Throttled; the `Retry-After` header says when to try again.",
    503: "`service_unavailable`: the database (or, for a throttled operation, the cache that "
    "holds the counts) does not answer; see `Retry-After`.",
}
# A read validates its query string too (`kernel.api.views`); a write reads only its body.
_READ_400 = (
    "A query parameter the operation does not know, or one given twice "
    '(`{"<parameter>": ["Unknown query parameter."]}`); a `format` it does not render '
    "(`unsupported_format`); more query parameters than the server accepts "
    "(`DATA_UPLOAD_MAX_NUMBER_FIELDS`)."
)
_RETRY_AFTER = {
    "schema": {"type": "integer", "minimum": 0},
    "description": "Seconds to wait before trying again.",
    "required": True,
}


class AutoSchema(SpectacularAutoSchema):
    """Derives what every operation shares (see the module's docstring)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._plumbing_errors(operation):
            if str(code) not in responses:
                body = ThrottledErrorSerializer if code == 429 else ErrorSerializer
                description = _PLUMBING_DESCRIPTIONS[code]
                if code == 400 and self.method in READS:
                    body = any_of(ErrorSerializer, ValidationErrorSerializer)
                    description = _READ_400
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(body, description=description), str(code)
                )
        for code in ("429", "503"):
            if code in responses:
                responses[code].setdefault("headers", {})["Retry-After"] = _RETRY_AFTER
        return operation

    def _process_override_parameters(self):
        """A list's query serializer holds `page` and `page_size` to validate them; the
        paginator documents them (with their bounds)."""
        parameters = super()._process_override_parameters()
        paging = {(p["name"], p["in"]) for p in self._get_pagination_parameters()}
        return {key: value for key, value in parameters.items() if key not in paging}

    def get_auth(self):
        auths = super().get_auth()
        if {} not in auths and self._admits_anonymous():
            auths.append({})
        return auths

    def _admits_anonymous(self) -> bool:
        request = build_mock_request(self.method, self.path, self.view, None)
        request.user = AnonymousUser()
        return all(
            permission.has_permission(request, self.view)
            for permission in self.view.get_permissions()
        )

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id":
                # An integer id (`kernel.api.routers`), unless its route says it is a UUID (a
                # cart's).
                if parameter["schema"].get("format") != "uuid":
                    parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = f"The {self._resource_name()}'s id."
            elif not parameter.get("description"):
                parameter["description"] = f"The {self._resource_name()}'s {parameter['name']}."
        return parameters

    def _resource_name(self) -> str:
        return getattr(self.view, "basename", None) or "resource"

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and not getattr(serializer, "partial", False):
            optional = set(getattr(serializer, "optional_response_fields", ()))
            required = [name for name in schema["properties"] if name not in optional]
            if required:
                schema["required"] = required
        elif direction == "request":
            _describe_defaults(schema)
        return schema

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


def _describe_defaults(schema: dict) -> None:
    """An optional request field's default is said in words, not as `default`: openapi-typescript
    types every property with a `default` as always present, which would make the field
    required in the storefront's own requests."""
    required = set(schema.get("required", ()))
    for name, field in schema["properties"].items():
        if name not in required and "default" in field:
            default = json.dumps(field.pop("default"))
            description = f"{field.get('description', '')}\n\nDefaults to `{default}`."
            field["description"] = description.strip()


def reuse_enum_components(result, generator, request, public):
    """A query parameter whose values are an enum component's refers to that component.

    Runs after drf-spectacular's enum hook. An empty value (`?status=`, "no filter") is
    accepted by the server without being an enum member, so it is left out of the comparison.
    """
    enums = {
        frozenset(schema["enum"]): name
        for name, schema in result.get("components", {}).get("schemas", {}).items()
        if "enum" in schema
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                values = parameter.get("schema", {}).get("enum")
                if parameter["in"] != "query" or values is None:
                    continue
                name = enums.get(frozenset(values) - {""})
                if name is not None:
                    parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return result
