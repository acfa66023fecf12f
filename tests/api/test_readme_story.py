"""The README's customer story in curl runs, as written, against a live server with the demo
data, and a step that fails stops it with a message naming the step."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

README = Path(__file__).resolve().parents[2] / "README.md"
SIGN_IN_RATE = 10  # settings: THROTTLE_AUTH_TOKEN, "10/min" unless set

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl to run the README's story"),
]


def story() -> str:
    """The shell block of the README's "A customer's story in curl" section."""
    section = README.read_text().split("## A customer's story in curl", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL).group(1)


def run_story(live_server) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", story()],
        env={"PATH": "/usr/bin:/bin", "API": f"{live_server.url}/api/v1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def demo_shop(live_server, staff_groups):
    call_command("seed_demo", with_users=True, verbosity=0)
    return live_server


def test_the_readme_story_runs_from_sign_up_to_a_delivered_order_of_a_variant(demo_shop):
    result = run_story(demo_shop)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "stopped" not in result.stderr
    assert result.stdout.rstrip().endswith("}")
    order = json.loads(result.stdout.splitlines()[-1])
    assert order["status"] == "delivered"
    # A T-shirt in one size and colour, named by its variant; by its product alone, refused.
    [shirt] = [item for item in order["items"] if item["variant_name"]]
    assert (shirt["variant_name"], shirt["quantity"]) == ("M / black", 1)
    assert '"code":"variant_required"' in result.stdout


def test_the_readme_story_runs_again_on_the_same_data(demo_shop):
    assert run_story(demo_shop).returncode == 0

    result = run_story(demo_shop)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_failing_step_stops_the_story_and_names_the_step(demo_shop):
    # As on the machine of the newcomer who found it: the sign-in allowance is used up.
    guesser = APIClient(REMOTE_ADDR="127.0.0.1")
    for _ in range(SIGN_IN_RATE):
        guesser.post("/api/v1/auth/token/", {})

    result = run_story(demo_shop)

    assert result.returncode != 0
    assert "!! the story stopped at step: 1. Sign up and log in (JWTs)" in result.stderr
    assert "429" in result.stderr
    assert "== 2." not in result.stdout


def test_a_missing_id_stops_the_story_instead_of_carrying_on_empty(live_server, staff_client):
    # A shop whose tea category is empty: the story finds no product to order.
    created = staff_client.post("/api/v1/categories/", {"name": "Tea", "slug": "tea"})
    assert created.status_code == 201, created.content

    result = run_story(live_server)

    assert result.returncode != 0
    assert "!! no first product in the answer" in result.stderr
    assert "!! the story stopped at step: 2." in result.stderr
    assert "== 3." not in result.stdout
