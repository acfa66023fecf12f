"""Routes under /api/v1/auth/."""

from django.urls import path

from accounts import apis
from kernel.api.routers import Router

router = Router()
router.register("addresses", apis.AddressViewSet, basename="auth-address")

urlpatterns = [
    path("register/", apis.RegisterView.as_view(), name="auth-register"),
    path("token/", apis.TokenObtainView.as_view(), name="auth-token"),
    path("token/refresh/", apis.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("token/verify/", apis.TokenVerifyView.as_view(), name="auth-token-verify"),
    path("logout/", apis.LogoutView.as_view(), name="auth-logout"),
    path("me/", apis.MeView.as_view(), name="auth-me"),
    path("password/", apis.PasswordChangeView.as_view(), name="auth-password"),
    path("password/reset/", apis.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password/reset/confirm/",
        apis.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    *router.urls,
]
