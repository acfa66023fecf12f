"""The browsable API's login and logout under /api-auth/: DRF's own routes and names, with the
login throttled like every other way to sign in (`accounts.pages`)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import pages

app_name = "rest_framework"
urlpatterns = [
    path("login/", pages.browsable_api_login, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
