"""Accounts' domain errors, each with a stable `code`."""

from kernel.exceptions import DomainError, FieldError, NotFound


class AccountsError(DomainError):
    code = "accounts_error"


class UserNotFound(NotFound, AccountsError):
    default_detail = "No such user."


class AccountsFieldError(FieldError, AccountsError):
    """A problem with one input field; subclasses name the field they are about."""

    field_name: str = "non_field_errors"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(field or self.field_name, message or self.default_detail)


class EmailTaken(AccountsFieldError):
    field_name = "email"
    code = "email_taken"
    default_detail = "A user with this email address already exists."


class InvalidEmail(AccountsFieldError):
    field_name = "email"
    code = "invalid_email"
    default_detail = "Enter a valid email address of at most 254 characters."


class InvalidName(AccountsFieldError):
    code = "invalid_name"
    default_detail = "Names are at most 150 characters."


class PasswordRejected(AccountsFieldError):
    """The new password fails one of Django's password validators."""

    field_name = "password"
    code = "password_rejected"
    default_detail = "This password is not allowed."


class WrongPassword(AccountsFieldError):
    field_name = "old_password"
    code = "wrong_password"
    default_detail = "The current password is not correct."


class AuthenticationError(AccountsError):
    """Rendered as 401: the caller has not proved who they are."""

    status_code = 401
    code = "authentication_failed"
    default_detail = "Authentication failed."


class InvalidCredentials(AuthenticationError):
    code = "invalid_credentials"
    default_detail = "No active account found with the given email and password."


class InvalidToken(AuthenticationError):
    """A JWT that is malformed, badly signed, expired, of the wrong type, revoked or not ours."""

    code = "token_not_valid"
    default_detail = "Token is invalid or expired."


class InvalidResetToken(AccountsError):
    """A password-reset link that is malformed, used, expired, or not for an active account."""

    code = "invalid_token"
    default_detail = "This password-reset link is invalid or has expired; ask for a new one."


class AddressNotFound(NotFound, AccountsError):
    """No such address in the caller's book: another user's is not found either."""

    default_detail = "No such address."


class AddressBookFull(AccountsError):
    code = "address_book_full"
    default_detail = "The address book is full; delete an address first."


class DefaultAddressRequired(AccountsFieldError):
    """The default shipping address is unset only by making another address the default."""

    field_name = "is_default_shipping"
    code = "default_address_required"
    default_detail = "Make another address the default shipping address instead."
