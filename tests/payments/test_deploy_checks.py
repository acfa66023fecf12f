"""`check --deploy` fails when production could not verify a single webhook: without
`PAYMENTS_SANDBOX_WEBHOOK_SECRET` (or with one too short to be an HMAC key) every webhook was
refused as forged, and the deploy checks passed."""

import pytest

from tests.shop.test_operations import PRODUCTION_ENV, _manage


@pytest.mark.parametrize(
    ("secret", "problem"),
    [("", "is not set"), ("whsec_short_guessable_key", "is only 25 characters long")],
    ids=["missing", "too-short"],
)
def test_the_deploy_check_fails_without_a_usable_webhook_secret(collected_static, secret, problem):
    env = {
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(collected_static),
        "PAYMENTS_SANDBOX_WEBHOOK_SECRET": secret,
    }

    result = _manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert f"(payments.E002) PAYMENTS_SANDBOX_WEBHOOK_SECRET {problem}" in result.stderr
    assert "HINT: Set PAYMENTS_SANDBOX_WEBHOOK_SECRET" in result.stderr
