"""The faults tests break the same small shop the security tests attack, and real servers
(`tests/servers.py`)."""

from tests.security.conftest import shop  # noqa: F401
