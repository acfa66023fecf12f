"""With `REDIS_URL`, the throttle counts live in Redis: shared by the server processes of one
instance, and by no other shop that uses the same Redis.

Three gunicorn servers (production settings) share one private redis-server: two serve one
database (one instance), the third another database (another shop). The keys carry a prefix
named after the instance's database unless `CACHE_KEY_PREFIX` says otherwise.
"""

import json
import subprocess
import sys

import pytest

from tests.servers import ROOT, Server, production_env

TOKEN = "/api/v1/auth/token/"
SIGN_IN_RATE = 10  # settings: THROTTLE_AUTH_TOKEN, "10/min" unless set


@pytest.fixture
def start(redis, tmp_path, collected_static):
    servers: list[Server] = []

    def start(database: str) -> Server:
        database_url = f"sqlite:///{tmp_path / database}"
        servers.append(
            Server(database_url, tmp_path, static_root=collected_static, REDIS_URL=redis.url)
        )
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_sign_in_attempts_through_one_server_count_at_the_other_and_at_no_other_shop(start):
    first, second = start("shop.sqlite3"), start("shop.sqlite3")
    another_shop = start("another.sqlite3")

    # Malformed attempts count too, and need no user table.
    statuses = {first.request("POST", TOKEN, {})[0] for _ in range(SIGN_IN_RATE)}
    status, headers, text = second.request("POST", TOKEN, {})

    assert statuses == {400}
    assert (status, json.loads(text)["code"]) == (429, "throttled")
    assert 0 < int(headers["Retry-After"]) <= 60
    assert another_shop.request("POST", TOKEN, {})[0] == 400


def _key_prefixes(database_url: str, **env: str) -> list[str]:
    """The key prefixes of the two caches in a process with these settings."""
    script = (
        "from django.conf import settings; "
        "print(*(settings.CACHES[alias]['KEY_PREFIX'] for alias in ('default', 'throttle')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(database_url, REDIS_URL="redis://127.0.0.1:1/0", **env),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.split()


def test_the_key_prefix_names_the_database_unless_cache_key_prefix_is_set():
    shop = _key_prefixes("postgres://postgres@127.0.0.1:5432/shop")
    same_shop = _key_prefixes("postgres://postgres@127.0.0.1:5432/shop")
    another_shop = _key_prefixes("postgres://postgres@127.0.0.1:5432/another")
    chosen = _key_prefixes("postgres://postgres@127.0.0.1:5432/shop", CACHE_KEY_PREFIX="blue")

    assert shop == same_shop
    assert shop[1] == f"{shop[0]}:throttle"
    assert set(shop).isdisjoint(another_shop)
    assert chosen == ["blue", "blue:throttle"]
