"""Accounts' public interface: sign-up, profile, passwords and the JWTs that prove who you are.

Other apps call these functions and receive DTOs (`accounts.dtos`) or domain errors
(`accounts.exceptions`); they never see a model, a queryset or a token object.

Refresh tokens live in simplejwt's outstanding/blacklist tables. Every JWT also carries the
user's token generation (`accounts.tokens`): a logout or a password change moves the user to
the next one, which ends every access token issued before it. A logout kills only the refresh
token it is given: the user's other sessions (other devices) get a 401 for their current
access token, refresh, and carry on with the new generation. A password change (or a password
set in the admin) kills every refresh token as well, so every session ends.

Every write that can kill or issue a token (sign-in, refresh, logout, password change) takes
its locks in the same order — the user row first, then the token row — so they queue behind
each other instead of racing or deadlocking. Password hashing is slow on purpose, so it happens
before a transaction starts, never while a lock is held.

A forgotten password is reset through an emailed link (`request_password_reset`, then
`reset_password`). The email is sent by the background worker (`accounts.tasks`), which is
handed only the user's id: the link's token is made there, so no token travels through the
broker, and it is Django's `default_token_generator`'s, which dies when the password changes
(its hash is part of the token) and after `PASSWORD_RESET_TIMEOUT` seconds.

A user's address book (`create_address`, `update_address`, `delete_address`) holds at most
`MAX_ADDRESSES` addresses, and exactly one of them is the default shipping address while it
holds any: the first address added, then the one last made the default; deleting the default
makes the most recently added of the others the default. Every write of the book locks the
user's row first, so two writes of one book (two "make this my default" at once, two first
addresses, an add at the cap) queue instead of racing; the partial unique index on
`is_default_shipping` is the last word on "at most one".
"""

import datetime
import logging
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import Token, UntypedToken

from accounts.dtos import SavedAddress, TokenPair, UserSummary
from accounts.exceptions import (
    AddressBookFull,
    AddressNotFound,
    DefaultAddressRequired,
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    InvalidName,
    InvalidResetToken,
    InvalidToken,
    PasswordRejected,
    UserNotFound,
    WrongPassword,
)
from accounts.models import Address, User, normalize_email
from accounts.tokens import RefreshToken, token_generation, token_user_id
from kernel import address as postal
from kernel.background import send_task_on_commit
from kernel.dtos import from_fields
from kernel.email import send_templated_email
from kernel.ids import MAX_ID

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length


def _summary(user: User) -> UserSummary:
    return from_fields(UserSummary, user)


def _clean_email(email: str) -> str:
    """The stored form of `email`; lower-casing may lengthen it, so the length is checked after."""
    normalized = normalize_email(email)
    if len(normalized) > EMAIL_MAX_LENGTH:
        raise InvalidEmail()
    try:
        validate_email(normalized)
    except ValidationError:
        raise InvalidEmail() from None
    return normalized


def _check_names(**names: str | None) -> None:
    for field, value in names.items():
        if value is not None and len(value) > NAME_MAX_LENGTH:
            raise InvalidName(field=field)


def _validate_password(password: str, *, user: User, field: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise PasswordRejected(" ".join(error.messages), field=field) from None


def _save_new_user(user: User, password: str) -> UserSummary:
    """Insert the user; a taken email shows up as the unique index refusing the row."""
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if User.objects.filter(email=user.email).exists():
            raise EmailTaken() from None
        raise InvalidEmail() from None
    return _summary(user)


def register_user(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> UserSummary:
    """Sign a customer up; the password must pass Django's validators."""
    _check_names(first_name=first_name, last_name=last_name)
    user = User(email=_clean_email(email), first_name=first_name, last_name=last_name)
    _validate_password(password, user=user, field="password")
    return _save_new_user(user, password)


def create_user(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> UserSummary:
    """Create a user without password validation, for seeding data and for the admin."""
    _check_names(first_name=first_name, last_name=last_name)
    user = User(
        email=_clean_email(email),
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    return _save_new_user(user, password)


def add_user_to_groups(*, user_id: int, groups: Sequence[str]) -> None:
    """Put the user in the named groups (the staff roles the apps' migrations create).

    Raises `LookupError` naming the groups that do not exist, and then adds the user to none.
    """
    found = list(Group.objects.filter(name__in=groups))
    missing = set(groups) - {group.name for group in found}
    if missing:
        raise LookupError(f"No such group: {', '.join(sorted(missing))}.")
    User.objects.get(pk=user_id).groups.add(*found)


def get_user(*, user_id: int) -> UserSummary | None:
    """The user with this id, or None: whom to notify of their orders and payments."""
    user = User.objects.filter(pk=user_id).first()
    return None if user is None else _summary(user)


def get_user_by_email(*, email: str) -> UserSummary | None:
    """The user with this email address (compared case-insensitively), or None."""
    user = User.objects.filter(email=normalize_email(email)).first()
    return None if user is None else _summary(user)


def update_profile(
    *, user_id: int, first_name: str | None = None, last_name: str | None = None
) -> UserSummary:
    """Change the names that are given (None leaves a name as it is)."""
    _check_names(first_name=first_name, last_name=last_name)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFound()
    changes = {"first_name": first_name, "last_name": last_name}
    changed = [field for field, value in changes.items() if value is not None]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.save(update_fields=changed)
    return _summary(user)


def _locked_user(user_id: int) -> User | None:
    """The user row, locked until the transaction ends (other rows may still reference it)."""
    return User.objects.select_for_update(no_key=True).filter(pk=user_id).first()


def _revoke_refresh_tokens(user_id: int) -> int:
    alive = OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).values_list("pk", flat=True)
    dead = [BlacklistedToken(token_id=pk) for pk in alive]
    BlacklistedToken.objects.bulk_create(dead, ignore_conflicts=True)
    return len(dead)


def _end_access_tokens(user_id: int) -> None:
    """Move the user to the next token generation: every access token issued so far is refused.

    The one place the generation goes up; logout and every path that changes a password (API,
    admin, and a future reset) come through here, inside their transaction.
    """
    User.objects.filter(pk=user_id).update(token_generation=F("token_generation") + 1)


def _sign_out_everywhere(user_id: int) -> int:
    """Kill every refresh and access token of the user; the number of refresh tokens killed."""
    _end_access_tokens(user_id)
    return _revoke_refresh_tokens(user_id)


@transaction.atomic
def revoke_refresh_tokens(*, user_id: int) -> int:
    """Sign the user out everywhere: every refresh and access token dies; the refresh count."""
    if _locked_user(user_id) is None:
        raise UserNotFound()
    return _sign_out_everywhere(user_id)


def change_password(*, user_id: int, old_password: str, new_password: str) -> None:
    """Replace the password after checking the old one; every token of the user dies with it."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFound()
    if not user.check_password(old_password):
        raise WrongPassword()
    _validate_password(new_password, user=user, field="new_password")
    old_hash = user.password
    user.set_password(new_password)
    with transaction.atomic():
        locked = _locked_user(user_id)
        if locked is None:
            raise UserNotFound()
        if locked.password != old_hash:
            raise WrongPassword("The password was changed meanwhile; try again.")
        user.save(update_fields=["password"])
        _sign_out_everywhere(user_id)


def _issue_pair(user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _decode(token_class: type[Token], raw: str) -> Token:
    """Check signature, expiry, type (and the blacklist, for refresh tokens)."""
    try:
        return token_class(raw)
    except TokenError as error:
        raise InvalidToken(str(error)) from None


def _user_id(token: Token) -> int:
    user_id = token_user_id(token)
    if user_id is None:
        raise InvalidToken("Token contained no recognizable user identification.")
    return user_id


def _locked_live_token(token: Token, *, user_id: int) -> OutstandingToken:
    """The user's outstanding row of this refresh token, locked; it must not be blacklisted."""
    outstanding = (
        OutstandingToken.objects.select_for_update()
        .filter(jti=token[jwt_settings.JTI_CLAIM], user_id=user_id)
        .first()
    )
    if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise InvalidToken("Token is blacklisted.")
    return outstanding


def obtain_token_pair(*, email: str, password: str) -> TokenPair:
    """Sign in: a fresh token pair for an active user with this email and password."""
    user = authenticate(email=email, password=password)
    if user is None:
        raise InvalidCredentials()
    with transaction.atomic():
        locked = _locked_user(user.pk)
        # A password change that committed since `authenticate` read the user wins.
        if locked is None or not locked.is_active or locked.password != user.password:
            raise InvalidCredentials()
        return _issue_pair(locked)


def refresh_token_pair(*, refresh_token: str) -> TokenPair:
    """Rotate a refresh token: it dies and a new pair is issued, once however often it is sent.

    simplejwt's own rotation checks the blacklist without a lock, so concurrent refreshes of
    one token would all succeed. Here they queue on the token's row lock and re-check the
    blacklist under it: the first one blacklists the token, every later one is refused.
    """
    token = _decode(RefreshToken, refresh_token)
    with transaction.atomic():
        user = _locked_user(_user_id(token))
        if user is None or not user.is_active:
            raise InvalidToken("The token's user is inactive or gone.")
        outstanding = _locked_live_token(token, user_id=user.pk)
        BlacklistedToken.objects.create(token=outstanding)
        return _issue_pair(user)


def verify_token(*, token: str) -> None:
    """Raise `InvalidToken` unless the token is a live access or refresh token of an active user."""
    decoded = _decode(UntypedToken, token)
    if decoded.get(jwt_settings.TOKEN_TYPE_CLAIM) not in {"access", "refresh"}:
        raise InvalidToken("Token has wrong type.")
    if BlacklistedToken.objects.filter(token__jti=decoded[jwt_settings.JTI_CLAIM]).exists():
        raise InvalidToken("Token is blacklisted.")
    generation = (
        User.objects.filter(pk=_user_id(decoded), is_active=True)
        .values_list("token_generation", flat=True)
        .first()
    )
    if generation is None:
        raise InvalidToken("The token's user is inactive or gone.")
    # A refresh token outlives a logout on another device; an access token does not.
    is_access = decoded[jwt_settings.TOKEN_TYPE_CLAIM] == "access"
    if is_access and token_generation(decoded) != generation:
        raise InvalidToken("Token has been revoked by a logout or a password change.")


def logout(*, user_id: int, refresh_token: str) -> None:
    """Kill one of the user's refresh tokens and every access token issued so far.

    Someone else's refresh token is as invalid as a forged one.
    """
    token = _decode(RefreshToken, refresh_token)
    if _user_id(token) != user_id:
        raise InvalidToken()
    with transaction.atomic():
        if _locked_user(user_id) is None:
            raise InvalidToken("The token's user is gone.")
        outstanding = _locked_live_token(token, user_id=user_id)
        BlacklistedToken.objects.create(token=outstanding)
        _end_access_tokens(user_id)


PASSWORD_RESET_EMAIL_TASK = "accounts.send_password_reset_email"
_DIGITS = re.compile(rb"[0-9]{1,19}")


def request_password_reset(*, email: str) -> None:
    """Have a password-reset link emailed to the active account with this email, if there is one.

    Says nothing either way, and does the same work either way up to the one step that differs:
    for an active account, once the caller's transaction commits, the email is handed to the
    worker. A broker that does not take it is logged, not raised: the user can ask again.
    """
    user_id = (
        User.objects.filter(email=normalize_email(email), is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is not None:
        send_task_on_commit(
            PASSWORD_RESET_EMAIL_TASK,
            kwargs={"user_id": user_id},
            # A link that would arrive dead is not worth sending.
            expires=settings.PASSWORD_RESET_TIMEOUT,
            if_lost="the user can ask for the password-reset email again.",
        )


def _password_reset_link(*, user_id: int, token: str) -> str:
    """The storefront's page (`PASSWORD_RESET_URL`) with the link's `uid` and `token`."""
    url = urlsplit(settings.PASSWORD_RESET_URL)
    uid = urlsafe_base64_encode(force_bytes(user_id))
    query = "&".join(filter(None, [url.query, urlencode({"uid": uid, "token": token})]))
    return urlunsplit(url._replace(query=query))


def send_password_reset_email(*, user_id: int) -> None:
    """Email the user a fresh password-reset link (the worker's task); nobody inactive or gone.

    Safe to run twice: each run sends a link that works until the password changes.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    timeout = settings.PASSWORD_RESET_TIMEOUT
    send_templated_email(
        template="accounts/email/password_reset",
        context={
            "link": _password_reset_link(
                user_id=user.pk, token=default_token_generator.make_token(user)
            ),
            "expires_at": timezone.localtime() + datetime.timedelta(seconds=timeout),
            "valid_minutes": timeout // 60,
            "user": user,
        },
        to=[user.email],
    )


def _reset_user(uid: str) -> User | None:
    """The active user a reset link's `uid` names (Django's urlsafe base64 of the id), or None."""
    try:
        raw = urlsafe_base64_decode(uid)
    except ValueError:
        return None
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_ID:
        return None
    return User.objects.filter(pk=int(raw), is_active=True).first()


def reset_password(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password with an emailed link's `uid` and `token`; every token of the user dies.

    `InvalidResetToken` for a link that is malformed, used, expired, or not an active user's;
    a password the validators reject leaves the link working.
    """
    user = _reset_user(uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise InvalidResetToken()
    _validate_password(new_password, user=user, field="new_password")
    old_hash = user.password
    user.set_password(new_password)
    with transaction.atomic():
        locked = _locked_user(user.pk)
        # The token holds the password hash: a reset or change that committed meanwhile used it.
        if locked is None or not locked.is_active or locked.password != old_hash:
            raise InvalidResetToken()
        user.save(update_fields=["password"])
        _sign_out_everywhere(user.pk)


# The address book.

MAX_ADDRESSES = 50


def _saved_address(address: Address) -> SavedAddress:
    return from_fields(SavedAddress, address)


def _locked_book_owner(user_id: int) -> None:
    """Lock the user's row: every write of their address book queues behind it."""
    if _locked_user(user_id) is None:
        raise UserNotFound()


def _unset_default(user_id: int) -> None:
    Address.objects.filter(user_id=user_id, is_default_shipping=True).update(
        is_default_shipping=False, updated_at=timezone.now()
    )


@transaction.atomic
def create_address(
    *, user_id: int, address: Mapping[str, str], is_default_shipping: bool = False
) -> SavedAddress:
    """Add an address to the user's book; the first one is the default whatever is asked.

    `address` is the kernel's address as `kernel.api.address.AddressSerializer` validated it
    (its optional fields given, blank when absent). `AddressBookFull` at `MAX_ADDRESSES`.
    """
    _locked_book_owner(user_id)
    count = Address.objects.filter(user_id=user_id).count()
    if count >= MAX_ADDRESSES:
        raise AddressBookFull(
            f"An address book holds at most {MAX_ADDRESSES} addresses; delete one first."
        )
    is_default_shipping = is_default_shipping or count == 0
    if is_default_shipping and count:
        _unset_default(user_id)
    entry = Address.objects.create(
        user_id=user_id,
        is_default_shipping=is_default_shipping,
        **{name: address.get(name, "") for name in postal.FIELDS},
    )
    return _saved_address(entry)


def _users_address(*, user_id: int, address_id: int) -> Address:
    """One of the user's addresses (read under the user's lock, so it stays as read)."""
    address = Address.objects.filter(pk=address_id, user_id=user_id).first()
    if address is None:
        raise AddressNotFound()
    return address


@transaction.atomic
def update_address(*, user_id: int, address_id: int, data: Mapping) -> SavedAddress:
    """Change the given fields of one of the user's addresses (`AddressNotFound` for anyone
    else's). `is_default_shipping=True` makes it the default in place of the old one; `False`
    on the default is `DefaultAddressRequired`: another address is made the default instead."""
    _locked_book_owner(user_id)
    entry = _users_address(user_id=user_id, address_id=address_id)
    changed = [name for name in postal.FIELDS if name in data]
    for name in changed:
        setattr(entry, name, data[name])
    make_default = data.get("is_default_shipping")
    if make_default is False and entry.is_default_shipping:
        raise DefaultAddressRequired()
    if make_default and not entry.is_default_shipping:
        _unset_default(user_id)
        entry.is_default_shipping = True
        changed.append("is_default_shipping")
    if changed:
        entry.save(update_fields=[*changed, "updated_at"])
    return _saved_address(entry)


@transaction.atomic
def delete_address(*, user_id: int, address_id: int) -> None:
    """Delete one of the user's addresses; if it was the default, the most recently added of
    the others (if any) becomes the default."""
    _locked_book_owner(user_id)
    entry = _users_address(user_id=user_id, address_id=address_id)
    entry.delete()
    if entry.is_default_shipping:
        newest = Address.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:1]
        Address.objects.filter(pk__in=newest).update(
            is_default_shipping=True, updated_at=timezone.now()
        )


def default_shipping_address(*, user_id: int) -> dict | None:
    """The user's default shipping address as the kernel's address dict (every field of
    `kernel.address.FIELDS`, blank when empty), or None when their book is empty: what the
    checkout fills a signed-in customer's cart with."""
    return (
        Address.objects.filter(user_id=user_id, is_default_shipping=True)
        .values(*postal.FIELDS)
        .first()
    )
