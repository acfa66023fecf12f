"""Request and response bodies of the accounts API: validation only, no business rules.

Input is strict: a field of the wrong JSON type (`123` for a name), an over-long string or a
key the endpoint does not accept (`is_staff` in a profile update) is a 400, never coerced or
silently dropped.
"""

from collections.abc import Mapping

from rest_framework import serializers

from accounts.services import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH

PASSWORD_MAX_LENGTH = 4096
TOKEN_MAX_LENGTH = 4096


class StrictCharField(serializers.CharField):
    """A CharField that takes JSON strings only; DRF's would turn `123` into `"123"`."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class PasswordField(StrictCharField):
    """Passwords are taken exactly as typed: never trimmed, never echoed back."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", PASSWORD_MAX_LENGTH)
        super().__init__(trim_whitespace=False, write_only=True, **kwargs)


class TokenField(StrictCharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=TOKEN_MAX_LENGTH, **kwargs)


class NameField(StrictCharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=NAME_MAX_LENGTH, allow_blank=True, **kwargs)


class StrictInputSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt or read-only field is not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                expected = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {key: [f"Unknown field; this endpoint accepts: {expected}."] for key in unknown}
                )
        return super().to_internal_value(data)


class RegisterSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
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


class MeUpdateSerializer(StrictInputSerializer):
    first_name = NameField(required=False)
    last_name = NameField(required=False)


class TokenObtainSerializer(StrictInputSerializer):
    # A CharField, not an EmailField: whatever the login is, a wrong one is a 401.
    email = StrictCharField(max_length=EMAIL_MAX_LENGTH)
    password = PasswordField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshSerializer(StrictInputSerializer):
    refresh = TokenField()


class TokenVerifySerializer(StrictInputSerializer):
    token = TokenField()


class PasswordChangeSerializer(StrictInputSerializer):
    old_password = PasswordField()
    new_password = PasswordField()
