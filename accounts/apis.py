"""The accounts endpoints under /api/v1/auth/: thin views over `accounts.services`."""

from django.contrib.auth import update_session_auth_hash
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import selectors, services
from accounts.exceptions import AddressNotFound
from accounts.models import Address
from accounts.serializers import (
    AccountSerializer,
    AddressWriteSerializer,
    MeSerializer,
    MeUpdateSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestedSerializer,
    PasswordResetSerializer,
    RefreshSerializer,
    RegisterSerializer,
    SavedAddressSerializer,
    TokenObtainSerializer,
    TokenPairSerializer,
    TokenVerifySerializer,
)
from accounts.throttling import SignInClientThrottle, SignInThrottled, account_attempt
from kernel.api.errors import WWW_AUTHENTICATE
from kernel.api.pagination import PageQuerySerializer
from kernel.api.schema import ErrorSerializer, error_response, error_responses
from kernel.api.serializers import EmptyQuerySerializer, validated
from kernel.api.throttling import ScopedRateThrottle
from kernel.api.views import APIView, GenericViewSet


def _token_check_schema(*, ok, refused: str, errors: tuple[int, ...] = (400,), **schema):
    """The schema of an endpoint that checks a credential: `ok` (200), or a 401 saying `refused`."""
    return extend_schema(
        **schema,
        responses={
            200: ok,
            **error_responses(*errors),
            401: error_response(ErrorSerializer, refused),
        },
    )


class _AccountsResponses:
    """401s come out as `{"detail", "code"}` with `WWW-Authenticate`, whatever raised them.

    No answer is kept by a cache (`Cache-Control: no-store`, Django's `never_cache` headers),
    errors included: tokens, the account's data and whether a credential was right are for
    the caller alone.
    """

    permission_classes = [IsAuthenticated]

    def get_authenticate_header(self, request) -> str:
        return WWW_AUTHENTICATE

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


@extend_schema(tags=["auth"])
class AccountsView(_AccountsResponses, APIView):
    pass


class PublicView(AccountsView):
    """For anyone: credentials sent along are not even looked at."""

    authentication_classes = []
    permission_classes = [AllowAny]


class RegisterView(PublicView):
    """POST register/: sign up; throttled per client."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_register"

    @extend_schema(
        summary="Create a customer account",
        description="The email is unique case-insensitively and stored lower-cased; the "
        "password must pass the server's password validators.",
        request=RegisterSerializer,
        responses={201: AccountSerializer, **error_responses(400, 429)},
    )
    def post(self, request):
        user = services.register_user(**validated(RegisterSerializer, request.data))
        return Response(AccountSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(PublicView):
    """POST token/: sign in with email and password; throttled with every way to sign in."""

    throttle_classes = [SignInClientThrottle]

    @_token_check_schema(
        ok=TokenPairSerializer,
        summary="Sign in: get an access and a refresh token",
        request=TokenObtainSerializer,
        refused="Wrong email or password, or the account is deactivated.",
        errors=(400, 429),
    )
    def post(self, request):
        data = validated(TokenObtainSerializer, request.data)
        try:
            with account_attempt(data["email"]):
                pair = services.obtain_token_pair(**data)
        except SignInThrottled as throttled:
            raise Throttled(wait=throttled.wait) from None
        return Response(TokenPairSerializer(pair).data)


class TokenRefreshView(PublicView):
    """POST token/refresh/: rotate a refresh token."""

    @_token_check_schema(
        ok=TokenPairSerializer,
        summary="Exchange a refresh token for a new pair",
        description="The refresh token sent is dead afterwards (rotation): sending it again, "
        "or sending it after logout or a password change, is a 401.",
        request=RefreshSerializer,
        refused="The refresh token is invalid, expired or dead, or its user is.",
    )
    def post(self, request):
        data = validated(RefreshSerializer, request.data)
        pair = services.refresh_token_pair(refresh_token=data["refresh"])
        return Response(TokenPairSerializer(pair).data)


class TokenVerifyView(PublicView):
    """POST token/verify/: is this token good for anything?"""

    @_token_check_schema(
        summary="Check that a token is valid",
        description="200 with an empty object for a live access or refresh token of an active "
        "user; 401 otherwise.",
        request=TokenVerifySerializer,
        ok=OpenApiResponse(response=OpenApiTypes.OBJECT, description="The token is valid."),
        refused="The token is invalid, expired or dead, or its user is.",
    )
    def post(self, request):
        data = validated(TokenVerifySerializer, request.data)
        services.verify_token(token=data["token"])
        return Response({})


class LogoutView(AccountsView):
    """POST logout/: kill one of the caller's refresh tokens."""

    @extend_schema(
        summary="Sign out: kill a refresh token",
        description="The refresh token must be the caller's own and still alive. Every access "
        "token of the user issued before the logout is a 401 from then on, on every device; "
        "the user's other refresh tokens still work and issue access tokens that do.",
        request=RefreshSerializer,
        responses={
            205: OpenApiResponse(description="The refresh token is dead."),
            **error_responses(400),
            401: error_response(
                ErrorSerializer,
                "Not authenticated, or the refresh token is invalid, dead or someone else's.",
            ),
        },
    )
    def post(self, request):
        data = validated(RefreshSerializer, request.data)
        services.logout(user_id=request.user.pk, refresh_token=data["refresh"])
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(AccountsView):
    """GET/PATCH me/: the signed-in user; only the names are writable."""

    @extend_schema(
        summary="The signed-in user",
        responses={200: MeSerializer, **error_responses(401)},
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        summary="Change the signed-in user's names",
        description="Only `first_name` and `last_name` may be sent; any other field is a 400.",
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **error_responses(400, 401)},
    )
    def patch(self, request):
        data = validated(MeUpdateSerializer, request.data, partial=True)
        user = services.update_profile(user_id=request.user.pk, **data)
        return Response(MeSerializer(user).data)


class PasswordChangeView(AccountsView):
    """POST password/: change the password, killing every refresh token."""

    # Guessing `old_password` with a stolen access token is throttled per user.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    @extend_schema(
        summary="Change the signed-in user's password",
        description="Every refresh and access token of the user dies; sign in again to get "
        "new ones.",
        request=PasswordChangeSerializer,
        responses={
            204: OpenApiResponse(description="The password is changed."),
            **error_responses(400, 401, 429),
        },
    )
    def post(self, request):
        services.change_password(
            user_id=request.user.pk, **validated(PasswordChangeSerializer, request.data)
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            # Keep the browsable API's session alive; every other session is signed out.
            request.user.refresh_from_db(fields=["password"])
            update_session_auth_hash(request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


RESET_REQUESTED = (
    "If an active account has this email address, a link to reset its password is on its way."
)


class PasswordResetView(PublicView):
    """POST password/reset/: email a reset link; the same answer whether the account exists."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        summary="Ask for a password-reset email",
        description="Always 202 with the same body, whether or not an account has this email "
        "address. An active account is sent an email with a link to the storefront's page "
        "(the setting `PASSWORD_RESET_URL`) carrying `?uid=<uid>&token=<token>`, for "
        "`password/reset/confirm/`; the link works once, for `PASSWORD_RESET_TIMEOUT` seconds. "
        "The email is sent in the background: if it does not arrive, ask again.",
        request=PasswordResetSerializer,
        responses={202: PasswordResetRequestedSerializer, **error_responses(400, 429)},
    )
    def post(self, request):
        services.request_password_reset(**validated(PasswordResetSerializer, request.data))
        return Response({"detail": RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicView):
    """POST password/reset/confirm/: set a new password with an emailed link's uid and token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset_confirm"

    @extend_schema(
        summary="Set a new password with a password-reset link",
        description="`uid` and `token` are the link's query parameters. The link works once: "
        "it dies when the password changes (this reset, or any other) and after "
        "`PASSWORD_RESET_TIMEOUT` seconds; then the answer is a 400 `invalid_token`. A password "
        "the validators reject is a 400 on `new_password`, and the link still works. Every "
        "refresh and access token of the user dies; sign in again with the new password.",
        request=PasswordResetConfirmSerializer,
        responses={
            204: OpenApiResponse(description="The password is changed."),
            **error_responses(400, 429),
        },
    )
    def post(self, request):
        services.reset_password(**validated(PasswordResetConfirmSerializer, request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class AddressViewSet(_AccountsResponses, GenericViewSet):
    """addresses/: the signed-in user's address book. Another user's address is 404, as one
    that does not exist: nobody learns which ids are taken."""

    serializer_class = AddressWriteSerializer
    filter_backends: list = []

    def get_queryset(self):
        """The caller's addresses (the browsable API asks for it; the reads use it too)."""
        return selectors.addresses(user_id=self.request.user.pk)

    def get_query_serializer_class(self):
        return PageQuerySerializer if self.action == "list" else EmptyQuerySerializer

    def get_object(self) -> Address:
        address = selectors.address(user_id=self.request.user.pk, address_id=self.kwargs["pk"])
        if address is None:
            raise AddressNotFound()
        return address

    @extend_schema(
        summary="Your address book",
        description="The default shipping address first, then the newest first.",
        responses={200: SavedAddressSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SavedAddressSerializer(page, many=True).data)

    @extend_schema(
        summary="Add an address to your address book",
        description="The first address is the default shipping address. A book holds at most "
        f"{services.MAX_ADDRESSES} addresses: one more is 400 `address_book_full`.",
        request=AddressWriteSerializer,
        responses={201: SavedAddressSerializer, **error_responses(400, 401)},
    )
    def create(self, request):
        data = validated(AddressWriteSerializer, request.data)
        is_default = data.pop("is_default_shipping")
        address = services.create_address(
            user_id=request.user.pk, address=data, is_default_shipping=is_default
        )
        return Response(SavedAddressSerializer(address).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One address of your address book",
        responses={200: SavedAddressSerializer, **error_responses(401, 404)},
    )
    def retrieve(self, request, pk: int):
        return Response(SavedAddressSerializer(self.get_object()).data)

    @extend_schema(
        summary="Change an address of your address book",
        description="`is_default_shipping: true` makes it the default in place of the old one; "
        "`false` on the default is a 400: make another address the default instead.",
        request=AddressWriteSerializer(partial=True),
        responses={200: SavedAddressSerializer, **error_responses(400, 401, 404)},
    )
    def partial_update(self, request, pk: int):
        data = validated(AddressWriteSerializer, request.data, partial=True)
        address = services.update_address(user_id=request.user.pk, address_id=pk, data=data)
        return Response(SavedAddressSerializer(address).data)

    @extend_schema(
        summary="Delete an address from your address book",
        description="If it was the default shipping address, the most recently added of the "
        "others becomes the default.",
        responses={204: None, **error_responses(401, 404)},
    )
    def destroy(self, request, pk: int):
        services.delete_address(user_id=request.user.pk, address_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
