"""The sign-in pages outside the API: the browsable API's login and the admin site's.

Both are Django's `LoginView` with a form that goes through the sign-in throttle
(`accounts.throttling`) before it checks a password, so they share the token endpoint's counts.
A refused attempt is the login page again, saying so in the form's error, with status 429 and
`Retry-After`; no password is checked and no session starts.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError

from accounts.throttling import SignInThrottled, account_attempt, count_client_attempt


class ThrottledSignInForm(AuthenticationForm):
    """Django's login form, counted per client and per account; `throttled` once refused."""

    throttled: SignInThrottled | None = None

    def clean(self):
        try:
            count_client_attempt(self.request)
            email = self.cleaned_data.get("username")
            if email is None:
                return super().clean()
            with account_attempt(email):
                return super().clean()
        except SignInThrottled as throttled:
            self.throttled = throttled
            raise ValidationError(str(throttled), code="throttled") from None


class ThrottledAdminSignInForm(ThrottledSignInForm, AdminAuthenticationForm):
    """The admin's login form (staff only), counted like every other sign-in."""


def _answer_429_when_throttled(view):
    """A login page whose form was refused by the throttle answers 429 with `Retry-After`."""

    @wraps(view)
    def login(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        throttled = getattr(form, "throttled", None)
        if throttled is not None:
            response.status_code = 429
            response["Retry-After"] = str(throttled.wait)
        return response

    return login


browsable_api_login = _answer_429_when_throttled(
    LoginView.as_view(
        template_name="rest_framework/login.html", authentication_form=ThrottledSignInForm
    )
)


class AdminSite(admin.AdminSite):
    """Django's admin site, whose login is throttled with every other way to sign in."""

    login_form = ThrottledAdminSignInForm

    def login(self, request, extra_context=None):
        return _answer_429_when_throttled(super().login)(request, extra_context)
