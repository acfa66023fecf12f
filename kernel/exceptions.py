"""Domain-error base classes.

Every app defines one base error deriving from `DomainError` and small subclasses with a stable
`code`. The API layer renders any `DomainError` as `{"detail": ..., "code": ..., **extra}` with
its `status_code`, so services raise domain errors and never think about HTTP responses.
"""

from typing import Any


class DomainError(Exception):
    status_code: int = 400
    code: str = "error"
    default_detail: str = "The request could not be completed."
    # Seconds after which the same request may succeed; the API sends it as `Retry-After`.
    retry_after: int | None = None

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_detail = "The request conflicts with the current state of the resource."


class FieldError(DomainError):
    """A problem with one input field, rendered in DRF's validation shape `{field: [message]}`."""

    status_code = 400
    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)
