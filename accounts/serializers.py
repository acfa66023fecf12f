"""Request and response bodies of the accounts API: validation only, no business rules.

Input follows the kernel's strict rules (`kernel.api.serializers`): a field of the wrong JSON
type (`123` for a name), an over-long string or a key the endpoint does not accept (`is_staff`
in a profile update) is a 400, never coerced or silently dropped.
"""

from rest_framework import serializers

from accounts.services import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from kernel.api.address import AddressSerializer
from kernel.api.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictSerializer,
)

PASSWORD_MAX_LENGTH = 4096
TOKEN_MAX_LENGTH = 4096
# A 64-bit id is at most 28 characters of base64; Django's reset tokens are about 40.
RESET_UID_MAX_LENGTH = 32
RESET_TOKEN_MAX_LENGTH = 128


class PasswordField(StrictCharField):
    """Passwords are taken exactly as typed: never trimmed (tabs allowed), never echoed back."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", PASSWORD_MAX_LENGTH)
        super().__init__(trim_whitespace=False, write_only=True, multiline=True, **kwargs)


class TokenField(StrictCharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=TOKEN_MAX_LENGTH, **kwargs)


class NameField(StrictCharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=NAME_MAX_LENGTH, allow_blank=True, **kwargs)


class RegisterSerializer(StrictSerializer):
    email = StrictEmailField(max_length=EMAIL_MAX_LENGTH)
    password = PasswordField()
    first_name = NameField(required=False, default="")
    last_name = NameField(required=False, default="")


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class MeSerializer(AccountSerializer):
    is_staff = serializers.BooleanField()


class MeUpdateSerializer(StrictSerializer):
    first_name = NameField(required=False)
    last_name = NameField(required=False)


class TokenObtainSerializer(StrictSerializer):
    # A CharField, not an EmailField: whatever the login is, a wrong one is a 401.
    email = StrictCharField(max_length=EMAIL_MAX_LENGTH)
    password = PasswordField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshSerializer(StrictSerializer):
    refresh = TokenField()


class TokenVerifySerializer(StrictSerializer):
    token = TokenField()


class PasswordChangeSerializer(StrictSerializer):
    old_password = PasswordField()
    new_password = PasswordField()


class PasswordResetSerializer(StrictSerializer):
    email = StrictEmailField(max_length=EMAIL_MAX_LENGTH)


class PasswordResetRequestedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetConfirmSerializer(StrictSerializer):
    # What the emailed link carries: the user's id in urlsafe base64, and Django's token.
    uid = StrictCharField(max_length=RESET_UID_MAX_LENGTH)
    token = StrictCharField(max_length=RESET_TOKEN_MAX_LENGTH)
    new_password = PasswordField()


class AddressWriteSerializer(AddressSerializer):
    """An address of the book as written: the kernel's address (its one set of rules) and
    whether it is the default shipping address."""

    is_default_shipping = StrictBooleanField(
        required=False,
        default=False,
        help_text="Make this the default shipping address, in place of the old one. The first "
        "address of a book is the default whatever is sent; `false` on the default is refused: "
        "make another address the default instead.",
    )


class SavedAddressSerializer(serializers.Serializer):
    """An address of the book as read."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    phone = serializers.CharField()
    is_default_shipping = serializers.BooleanField()
