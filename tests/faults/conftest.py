"""The faults tests break the same small shop the security tests attack."""

from tests.security.conftest import shop  # noqa: F401
