"""The schema is the storefront's SDK: clients generated from it type-check a customer story.

The served document (`/api/v1/schema/?format=json`) is fed to the two generators a storefront
team uses, each pinned: openapi-python-client (requirements-dev.txt) and openapi-typescript with
openapi-fetch and TypeScript (tests/sdk/package.json and its lock, installed here with `npm ci`
into tests/sdk/node_modules/, which git ignores). The stories (`story.py`, `story.ts`) must pass
`mypy --strict` and `tsc --strict` with no cast, no `Any`/`any` and no ignore comment, and both
run against a live server. Everything generated goes to a temporary folder,
removed at the end.

Without node or npm on the machine the TypeScript test is skipped with a reason, except in CI
(`CI=true`), where it fails instead.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from catalog import services as catalog_services
from tests.conftest import PASSWORD

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
INSTALLED_STAMP = NODE_MODULES / ".shop-lock-sha256"
TIMEOUT = 180

# What the TypeScript story may not contain to get past the type checker: `as`, `any` and
# non-null assertions in its code, a `@ts-` comment anywhere.
TS_ESCAPES = re.compile(r"\bas\b|\bany\b|[\w)\]]!(?!=)")
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "outDir": "out",
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",
        "lib": ["es2022", "dom"],
        "types": [],
    },
    "files": ["story.ts"],
}


def _run(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False, **kwargs
    )
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def _python_escapes(path: Path) -> list[str]:
    """`cast`, `Any` and `type: ignore` comments in a Python file (docstrings do not count)."""
    with path.open("rb") as source:
        return [
            token.string
            for token in tokenize.tokenize(source.readline)
            if (token.type == tokenize.NAME and token.string in {"cast", "Any"})
            or (token.type == tokenize.COMMENT and "type:" in token.string)
        ]


def _typescript_escapes(path: Path) -> list[str]:
    offending = []
    for line in path.read_text(encoding="utf-8").splitlines():
        code = line.split("//", 1)[0]
        if "@ts-" in line or TS_ESCAPES.search(code):
            offending.append(line)
    return offending


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Iterator[Path]:
    """A folder for everything generated, removed afterwards (it holds two clients)."""
    folder = tmp_path_factory.mktemp("sdk")
    yield folder
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def schema_file(scratch) -> Path:
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    path = scratch / "schema.json"
    path.write_bytes(response.content)
    return path


@pytest.fixture(scope="module")
def python_client(schema_file, scratch) -> Path:
    """A folder holding the generated package `shop_client` and a copy of `story.py`."""
    folder = scratch / "python"
    folder.mkdir()
    config = folder / "config.json"
    config.write_text(
        json.dumps({"package_name_override": "shop_client", "post_hooks": []}), encoding="utf-8"
    )
    generator = Path(sys.executable).with_name("openapi-python-client")
    _run(
        [
            str(generator),
            "generate",
            f"--path={schema_file}",
            "--meta=none",
            f"--output-path={folder / 'shop_client'}",
            f"--config={config}",
        ],
        cwd=folder,
    )
    shutil.copy(HERE / "story.py", folder)
    return folder


@pytest.fixture(scope="module")
def node_tools() -> Path:
    """tests/sdk/node_modules/.bin, installed by `npm ci` whenever the lock file changed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node and npm are needed for the TypeScript client check in CI")
        pytest.skip("node or npm not found: the TypeScript client is not checked")
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if not INSTALLED_STAMP.exists() or INSTALLED_STAMP.read_text() != lock:
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE)
        INSTALLED_STAMP.write_text(lock)
    return NODE_MODULES / ".bin"


def test_the_stories_need_no_casts():
    assert _python_escapes(HERE / "story.py") == []
    assert _typescript_escapes(HERE / "story.ts") == []


def test_the_python_client_type_checks_the_story(python_client):
    _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir=/dev/null",
            "--config-file=",
            "story.py",
        ],
        cwd=python_client,
    )


def _story_order(command: list[str], *, cwd: Path, env: dict[str, str]) -> dict:
    """Stock the mug a story buys two of, run the story; the order it printed as JSON."""
    catalog_services.create_product(
        sku="SDK-1", name="Storefront mug", price=Decimal("12.50"), stock=5
    )
    return json.loads(_run(command, cwd=cwd, env={**os.environ, **env}).stdout)


@pytest.mark.django_db(transaction=True)
def test_the_python_story_runs_against_a_live_server(python_client, live_server):
    script = (
        "import json, sys, story\n"
        "order = story.run(sys.argv[1], sys.argv[2])\n"
        "print(json.dumps({'status': order.status, 'total': order.total}))\n"
    )
    order = _story_order(
        [sys.executable, "-c", script, live_server.url, PASSWORD],
        cwd=python_client,
        env={"PYTHONPATH": str(python_client), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert order == {"status": "paid", "total": "25.00"}


@pytest.mark.django_db(transaction=True)
def test_the_typescript_story_type_checks_and_runs_against_a_live_server(
    schema_file, node_tools, scratch, live_server
):
    folder = scratch / "typescript"
    folder.mkdir()
    _run(
        [
            str(node_tools / "openapi-typescript"),
            str(schema_file),
            f"--output={folder / 'schema.d.ts'}",
        ],
        cwd=folder,
    )
    shutil.copy(HERE / "story.ts", folder)
    (folder / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (folder / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
    (folder / "package.json").write_text(json.dumps({"type": "module"}), encoding="utf-8")
    _run([str(node_tools / "tsc"), "--project", str(folder), "--strict"], cwd=folder)

    script = (
        'import { run } from "./out/story.js";\n'
        "const order = await run(process.env.STORY_URL, process.env.STORY_PASSWORD);\n"
        "console.log(JSON.stringify({ status: order.status, total: order.total }));\n"
    )
    order = _story_order(
        [shutil.which("node") or "node", "--input-type=module", "--eval", script],
        cwd=folder,
        env={"STORY_URL": live_server.url, "STORY_PASSWORD": PASSWORD},
    )
    assert order == {"status": "paid", "total": "25.00"}
