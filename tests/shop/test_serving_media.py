"""`manage.py serve`'s nginx serves the uploaded files (MEDIA_ROOT) itself, safely: only GET
and HEAD, never a directory listing, every file with `nosniff` and a sandboxing policy, and
nothing but an image's own type named. It lets an image upload be larger than other bodies, and
refuses one over the limit as the API does (400 `invalid_image`).

nginx runs alone here, from the configuration the command writes: no request reaches gunicorn.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shop.management.commands.serve import Command
from tests.catalog.image_files import image_bytes
from tests.servers import free_port

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx not found (Debian's `nginx`)")


def _readable_directory() -> Path:
    """A new directory that nginx's workers (`nobody`, when started as root) can read."""
    directory = Path(tempfile.mkdtemp(prefix="shop-media-"))
    directory.chmod(0o755)
    return directory


@pytest.fixture
def media_server(settings):
    media, run = _readable_directory(), _readable_directory()
    settings.MEDIA_ROOT = media
    settings.ALLOWED_HOSTS = ["*"]
    port = free_port()
    config = Command()._write_config(run, f"127.0.0.1:{port}")
    process = subprocess.Popen(
        Command._nginx_command(NGINX, config), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        for _ in range(200):
            if _answers(port):
                break
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.05)
        yield media, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/media/", timeout=1)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def _get(url: str, method: str = "GET"):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _put(media: Path, name: str, content: bytes) -> None:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    path.write_bytes(content)
    path.chmod(0o644)


def test_nginx_serves_a_stored_image_with_safe_headers(media_server):
    media, base = media_server
    content = image_bytes("JPEG")
    _put(media, "products/1/a.jpg", content)

    status, headers, body = _get(f"{base}/media/products/1/a.jpg")

    assert (status, body) == (200, content)
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_nginx_serves_no_script_no_listing_and_takes_no_write(media_server):
    media, base = media_server
    _put(media, "products/1/page.html", b"<script>alert(1)</script>")

    status, headers, _ = _get(f"{base}/media/products/1/page.html")
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in headers["Content-Security-Policy"]

    assert _get(f"{base}/media/products/1/")[0] in {403, 404}
    assert _get(f"{base}/media/products/1/page.html", method="DELETE")[0] in {403, 405}
    assert _get(f"{base}/media/missing.jpg")[0] == 404


def _post(url: str, size: int) -> tuple[int, bytes]:
    """A POST announcing `size` bytes of body, of which only the headers are sent."""
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    path = "/" + url.removeprefix("http://").split("/", 1)[1]
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {size}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nConnection: close\r\n\r\n".encode()
        )
        # nginx answers at once, then waits a while for the body it will not read: read the
        # response by its own Content-Length rather than until the connection closes.
        response = b""
        while b"\r\n\r\n" not in response:
            response += connection.recv(65536)
        head, _, body = response.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(body) < length:
            body += connection.recv(65536)
    return int(head.split()[1]), body


def test_an_image_upload_over_10_mb_is_400_invalid_image_before_it_is_read(media_server):
    _, base = media_server

    status, body = _post(f"{base}/api/v1/products/1/images/", 11 * 1024 * 1024)

    assert status == 400
    assert json.loads(body)["code"] == "invalid_image"
    # Any other body keeps the general limit (DATA_UPLOAD_MAX_MEMORY_SIZE).
    assert _post(f"{base}/api/v1/products/", 5 * 1024 * 1024)[0] == 413
