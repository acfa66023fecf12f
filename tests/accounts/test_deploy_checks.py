"""`check --deploy` warns when a password-reset link would travel in clear text: the link's
token sets the account's password."""

import pytest

from tests.shop.test_operations import PRODUCTION_ENV, _manage


@pytest.mark.parametrize("url", ["http://shop.example.com/reset-password", "https:reset", ""])
def test_the_deploy_check_warns_about_a_password_reset_url_that_is_not_https(collected_static, url):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static), "PASSWORD_RESET_URL": url}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "(accounts.W001) PASSWORD_RESET_URL is" in result.stderr
    assert "HINT: Set PASSWORD_RESET_URL" in result.stderr
