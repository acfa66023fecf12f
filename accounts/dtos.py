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
