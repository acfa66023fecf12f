"""Reads for accounts' own views and admin."""

from django.db.models import QuerySet

from accounts.models import Address


def addresses(*, user_id: int) -> QuerySet[Address]:
    """The user's address book: the default shipping address first, then the newest first."""
    return Address.objects.filter(user_id=user_id).order_by(
        "-is_default_shipping", "-created_at", "-id"
    )


def address(*, user_id: int, address_id: int) -> Address | None:
    """One of the user's addresses; None for anyone else's."""
    return Address.objects.filter(user_id=user_id, pk=address_id).first()
