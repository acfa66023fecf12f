import pytest

from accounts.models import User


@pytest.fixture
def marketer(make_staff) -> User:
    """Staff in the `Marketing` group (shipping methods, tax rates, vouchers)."""
    return make_staff("Marketing", first_name="Mark", last_name="Eting")
