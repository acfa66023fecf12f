"""The password reset as production runs it: gunicorn answers the request, a Celery worker (a
separate process, on a broker of its own) sends the email into EMAIL_FILE_PATH, and the link in
that file sets the password exactly once."""

import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers import Server, Worker, manage

RESET_URL = "https://store.example.com/reset-password"
EMAIL = "forgetful@example.com"
CREATE_USER = (
    "from accounts.services import create_user; "
    f"create_user(email={EMAIL!r}, password='the-old-passphrase-1')"
)


@pytest.fixture
def shop(tmp_path, collected_static):
    """A migrated shop with one customer: its server, its worker, and its mail folder."""
    database_url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    mail = tmp_path / "mail"
    settings = {
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "EMAIL_FILE_PATH": str(mail),
        "PASSWORD_RESET_URL": RESET_URL,
    }
    manage(database_url, "migrate", "--noinput", **settings)
    manage(database_url, "shell", "-c", CREATE_USER, **settings)
    worker = Worker(database_url, tmp_path, **settings)
    server = None
    try:
        server = Server(database_url, tmp_path, static_root=collected_static, **settings)
        yield server, mail, worker.log
    finally:
        if server is not None:
            server.stop()
        worker.stop()


def emails_in(folder: Path, *, count: int, log: Path) -> list[str]:
    """The emails written into `folder`, once there are `count` of them (at most 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        if len(files) >= count:
            return [file.read_text() for file in files]
        assert time.monotonic() < deadline, f"No email within 60 s; the worker:\n{log.read_text()}"
        time.sleep(0.2)


def test_the_emailed_link_from_the_worker_resets_the_password_exactly_once(shop):
    server, mail, worker_log = shop

    asked = server.request("POST", "/api/v1/auth/password/reset/", {"email": EMAIL})
    unknown = server.request("POST", "/api/v1/auth/password/reset/", {"email": "no@example.com"})

    assert asked.status == unknown.status == 202
    assert asked.text == unknown.text
    (email,) = emails_in(mail, count=1, log=worker_log)
    assert f"To: {EMAIL}" in email
    # The plain-text part comes first; the HTML part holds the same link, `&` escaped.
    url = re.findall(re.escape(RESET_URL) + r"\?\S+", email)[0]
    link = {key: value for key, (value,) in parse_qs(urlsplit(url).query).items()}
    body = {**link, "new_password": "the-new-passphrase-2"}
    confirm = "/api/v1/auth/password/reset/confirm/"
    assert server.request("POST", confirm, body).status == 204
    again = server.request("POST", confirm, {**body, "new_password": "a-third-passphrase-3"})
    assert (again.status, json.loads(again.text)["code"]) == (400, "invalid_token")
    token = "/api/v1/auth/token/"
    assert (
        server.request("POST", token, {"email": EMAIL, "password": body["new_password"]})[0] == 200
    )
    assert (
        server.request("POST", token, {"email": EMAIL, "password": "the-old-passphrase-1"})[0]
        == 401
    )
    time.sleep(1.5)  # the worker polls its broker each second: no second email comes
    assert len(emails_in(mail, count=1, log=worker_log)) == 1
