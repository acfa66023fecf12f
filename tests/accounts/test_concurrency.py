"""Races that only a real database with row locks can show: PostgreSQL only."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from tests.accounts.conftest import REFRESH, REGISTER
from tests.concurrency import run_concurrently
from tests.conftest import PASSWORD

THREADS = 8

pytestmark = pytest.mark.postgres("SQLite has no row locks and serialises every writer anyway")


def _post_all_at_once(path: str, body: dict) -> list:
    """POST the same body from THREADS threads, each on its own connection, released together."""
    return run_concurrently(*[lambda: APIClient().post(path, body) for _ in range(THREADS)])


def test_concurrent_refreshes_of_one_token_let_exactly_one_through(
    transactional_db, anon_client, make_user
):
    user = make_user()
    refresh = anon_client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}
    ).json()["refresh"]

    responses = _post_all_at_once(REFRESH, {"refresh": refresh})

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [401] * (THREADS - 1)
    (winner,) = [response for response in responses if response.status_code == 200]
    assert OutstandingToken.objects.filter(user=user).count() == 2
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    assert anon_client.post(REFRESH, {"refresh": winner.json()["refresh"]}).status_code == 200


def test_concurrent_sign_ups_with_one_email_create_one_account(transactional_db):
    responses = _post_all_at_once(REGISTER, {"email": "race@example.com", "password": PASSWORD})

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * (THREADS - 1)
    assert all(
        list(response.json()) == ["email"] for response in responses if response.status_code == 400
    )
    assert User.objects.filter(email="race@example.com").count() == 1
