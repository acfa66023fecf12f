"""The sign-in pages outside the API: the browsable API's login and the admin site's.

Both are Django's `LoginView` with a form that goes through the sign-in throttle
(`accounts.throttling`) before it checks a password, so they share the token endpoint's counts.
A refused attempt is the login page again, saying so in the form's error, with status 429 and
`Retry-After`; no password is checked and no session starts. When the throttle cannot count
(its cache does not answer), the attempt is refused the same way with a 503: sign-in fails
closed, as the token endpoint does.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError

from accounts.throttling import SignInThrottled, account_attempt, count_client_attempt
from kernel.api.errors import RETRY_AFTER_DATABASE_SECONDS, ServiceUnavailable

UNAVAILABLE = "Signing in is unavailable for a moment; try again shortly."


class ThrottledSignInForm(AuthenticationForm):
    """Django's login form, counted per client and per account.

    `refusal` is `(status, retry_after_seconds)` once the throttle refused the attempt."""

    refusal: tuple[int, int] | None = None

    def clean(self):
        try:
            count_client_attempt(self.request)
            email = self.cleaned_data.get("username")
            if email is None:
                return super().clean()
            with account_attempt(email):
                return super().clean()
        except SignInThrottled as throttled:
            self.refusal = (429, throttled.wait)
            raise ValidationError(str(throttled), code="throttled") from None
        except ServiceUnavailable:
            self.refusal = (503, RETRY_AFTER_DATABASE_SECONDS)
            raise ValidationError(UNAVAILABLE, code="unavailable") from None


class ThrottledAdminSignInForm(ThrottledSignInForm, AdminAuthenticationForm):
    """The admin's login form (staff only), counted like every other sign-in."""


def _answer_refusals(view):
    """A login page whose form the throttle refused answers 429 (or 503) with `Retry-After`."""

    @wraps(view)
    def login(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        refusal = getattr(form, "refusal", None)
        if refusal is not None:
            response.status_code, retry_after = refusal
            response["Retry-After"] = str(retry_after)
        return response

    return login


browsable_api_login = _answer_refusals(
    LoginView.as_view(
        template_name="rest_framework/login.html", authentication_form=ThrottledSignInForm
    )
)


class AdminSite(admin.AdminSite):
    """Django's admin site, whose login is throttled with every other way to sign in."""

    login_form = ThrottledAdminSignInForm

    def login(self, request, extra_context=None):
        return _answer_refusals(super().login)(request, extra_context)
