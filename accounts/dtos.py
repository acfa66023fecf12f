"""What accounts hands to the apps above it: frozen values, never model instances."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as it was when read: who placed an order, whom to notify."""

    id: int
    email: str
    first_name: str
    last_name: str
    is_staff: bool
    is_active: bool


@dataclass(frozen=True, slots=True)
class TokenPair:
    """A fresh access JWT and the refresh JWT that renews it."""

    access: str
    refresh: str


@dataclass(frozen=True, slots=True)
class SavedAddress:
    """An entry of a user's address book: the kernel's address (`kernel.address`) plus its id
    and whether it is the user's default shipping address."""

    id: int
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    is_default_shipping: bool
