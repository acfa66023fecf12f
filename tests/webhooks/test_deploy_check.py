"""`check --deploy` warns when production lets webhooks reach private addresses."""

import pytest
from django.core.checks import run_checks


def deploy_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.parametrize(
    ("allowed", "debug", "warned"),
    [(True, False, True), (False, False, False), (True, True, False)],
)
def test_the_deploy_check_warns_when_private_webhook_urls_are_allowed_in_production(
    settings, allowed, debug, warned
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = allowed
    settings.DEBUG = debug

    assert ("kernel.W002" in deploy_check_ids()) is warned
