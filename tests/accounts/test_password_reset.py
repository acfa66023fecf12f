"""Password reset: POST password/reset/ answers the same for every email and hands only an
active account's id to the worker; the worker's task emails a link (text and HTML) to the
storefront's page; POST password/reset/confirm/ with the link's uid and token sets a new
password once, and every token of the user dies with the old one."""

import base64
import datetime
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from rest_framework.test import APIClient

from accounts import tasks
from kernel import background
from tests.accounts.conftest import ME, PASSWORD_CHANGE, REFRESH, TOKEN, bearer
from tests.concurrency import run_concurrently
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
NEW_PASSWORD = "a-brand-new-passphrase-42"
RESET_RATE, CONFIRM_RATE = 5, 10  # THROTTLE_PASSWORD_RESET(_CONFIRM): "5/hour", "10/hour"


def uid_of(value: object) -> str:
    """Django's form of a reset link's uid: urlsafe base64 of the text, without padding."""
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


@pytest.fixture
def handed_to_worker(monkeypatch) -> list[tuple[str, dict]]:
    """The tasks sent to the broker, as (name, kwargs), instead of being sent."""
    sent: list[tuple[str, dict]] = []

    def send_task(name, kwargs=None, **options):
        sent.append((name, kwargs))

    monkeypatch.setattr(background.current_app, "send_task", send_task)
    return sent


@pytest.fixture
def ask_for_reset(django_capture_on_commit_callbacks):
    """`ask_for_reset(email)`: POST password/reset/, its after-commit work done."""

    def ask(email: str, client: APIClient | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or APIClient()).post(RESET, {"email": email})

    return ask


@pytest.fixture
def emailed_link(ask_for_reset, handed_to_worker):
    """`emailed_link(user)` -> {"uid", "token"}: ask, run the worker's task, read the email."""

    def link(user) -> dict[str, str]:
        assert ask_for_reset(user.email).status_code == 202
        for name, kwargs in handed_to_worker:
            assert name == "accounts.send_password_reset_email"
            tasks.send_password_reset_email(**kwargs)
        handed_to_worker.clear()
        return link_in(mail.outbox[-1].body)

    return link


def link_in(text: str) -> dict[str, str]:
    (url,) = re.findall(re.escape(settings.PASSWORD_RESET_URL) + r"\?\S+", text)
    query = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert sorted(query) == ["token", "uid"]
    return {key: value for key, (value,) in query.items()}


def confirm(link: dict[str, str], password: str = NEW_PASSWORD, client: APIClient | None = None):
    return (client or APIClient()).post(CONFIRM, {**link, "new_password": password})


def assert_invalid_token(response) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_token"


def deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def signs_in(user, password: str) -> bool:
    response = APIClient().post(TOKEN, {"email": user.email, "password": password})
    assert response.status_code in {200, 401}, response.content
    return response.status_code == 200


@pytest.mark.parametrize("who", ["active", "unknown", "inactive"])
def test_asking_for_a_reset_is_the_same_202_whether_or_not_the_account_exists(
    ask_for_reset, handed_to_worker, make_user, who
):
    active = ask_for_reset(make_user(email="active@example.com").email)
    deactivate(make_user(email="inactive@example.com"))

    response = ask_for_reset(f"{who}@example.com")

    assert response.status_code == active.status_code == 202
    assert response.content == active.content
    assert set(response.json()) == {"detail"}
    assert response["Content-Type"] == active["Content-Type"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("email", "handed"),
    [
        ("casey@example.com", True),
        ("  CASEY@Example.COM ", True),
        ("nobody@example.com", False),
        ("unknown@example.com", False),
    ],
)
def test_only_an_active_accounts_id_is_handed_to_the_worker_and_no_email_leaves_the_request(
    ask_for_reset, handed_to_worker, make_user, email, handed
):
    casey = make_user(email="casey@example.com")
    deactivate(make_user(email="nobody@example.com"))

    ask_for_reset(email)

    expected = [("accounts.send_password_reset_email", {"user_id": casey.pk})]
    assert handed_to_worker == (expected if handed else [])
    assert mail.outbox == []


def test_nothing_is_handed_to_the_worker_before_the_transaction_commits(
    ask_for_reset, handed_to_worker, customer
):
    APIClient().post(RESET, {"email": customer.email})

    assert handed_to_worker == []


def test_a_broker_that_refuses_the_task_is_logged_and_the_answer_is_still_202(
    ask_for_reset, monkeypatch, customer, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("the broker is down")

    monkeypatch.setattr(background.current_app, "send_task", refuse)

    with caplog.at_level(logging.ERROR, logger="kernel.background"):
        response = ask_for_reset(customer.email)

    assert response.status_code == 202
    assert f"accounts.send_password_reset_email (kwargs={{'user_id': {customer.pk}}}" in caplog.text
    assert "the user can ask for the password-reset email again" in caplog.text
    assert "the broker is down" in caplog.text


def test_the_email_is_text_and_html_with_the_link_the_shop_and_when_it_expires(settings, customer):
    settings.SHOP_NAME = "Teapot Emporium"
    settings.PASSWORD_RESET_URL = "https://store.example.com/reset?lang=en"
    settings.PASSWORD_RESET_TIMEOUT = 7200
    before = datetime.datetime.now(datetime.UTC)

    tasks.send_password_reset_email(user_id=customer.pk)

    (email,) = mail.outbox
    assert email.to == [customer.email]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.subject == "Reset your Teapot Emporium password"
    (url,) = re.findall(r"https://store\.example\.com/reset\?\S+", email.body)
    query = parse_qs(urlsplit(url).query)
    assert query["lang"] == ["en"]
    assert query["uid"] == [uid_of(customer.pk)]
    assert default_token_generator.check_token(customer, query["token"][0])
    expires = before + datetime.timedelta(hours=2)
    assert "120 minutes" in email.body
    assert f"{expires:%H}:" in email.body
    assert "Teapot Emporium" in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert url.replace("&", "&amp;") in html
    assert "Teapot Emporium" in html
    assert "120 minutes" in html


def test_the_task_emails_nobody_deactivated_or_deleted_since_the_request(make_user):
    deactivated, deleted = deactivate(make_user()), make_user()
    deleted_id = deleted.pk
    deleted.delete()

    tasks.send_password_reset_email(user_id=deactivated.pk)
    tasks.send_password_reset_email(user_id=deleted_id)

    assert mail.outbox == []


def test_the_emailed_link_sets_a_new_password_and_ends_every_session(
    customer, emailed_link, sign_in
):
    old = sign_in(customer)

    response = confirm(emailed_link(customer))

    assert response.status_code == 204, response.content
    assert signs_in(customer, NEW_PASSWORD)
    assert not signs_in(customer, PASSWORD)
    assert APIClient().post(REFRESH, {"refresh": old["refresh"]}).status_code == 401
    assert bearer(APIClient(), old["access"]).get(ME).status_code == 401


def test_a_link_works_once(customer, emailed_link):
    link = emailed_link(customer)
    assert confirm(link).status_code == 204

    assert_invalid_token(confirm(link, password="yet-another-passphrase-77"))
    assert signs_in(customer, NEW_PASSWORD)


def test_a_link_dies_after_password_reset_timeout(customer, emailed_link, monkeypatch):
    link = emailed_link(customer)
    issued = datetime.datetime.now()

    def at(seconds: int) -> None:
        moved = issued + datetime.timedelta(seconds=seconds)
        monkeypatch.setattr(default_token_generator, "_now", lambda: moved)

    at(settings.PASSWORD_RESET_TIMEOUT + 1)
    assert_invalid_token(confirm(link))
    assert signs_in(customer, PASSWORD)

    at(settings.PASSWORD_RESET_TIMEOUT - 60)
    assert confirm(link).status_code == 204


def test_a_link_dies_when_the_password_is_changed_meanwhile(customer, emailed_link, sign_in):
    link = emailed_link(customer)
    client = bearer(APIClient(), sign_in(customer)["access"])
    changed = client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "changed-it-myself-99"}
    )
    assert changed.status_code == 204

    assert_invalid_token(confirm(link))
    assert signs_in(customer, "changed-it-myself-99")


def test_a_link_of_an_account_deactivated_since_is_refused(customer, emailed_link):
    link = emailed_link(customer)
    deactivate(customer)

    assert_invalid_token(confirm(link))


@pytest.mark.parametrize(
    "uid",
    [
        "!!!",
        "a",
        uid_of("abc"),
        uid_of(0),
        uid_of(-1),
        uid_of("٣"),
        uid_of(" 1"),
        uid_of(999_999),
        uid_of(2**63),
        uid_of(9_999_999_999_999_999_999),
    ],
)
def test_a_uid_that_names_no_account_is_a_400_invalid_token(customer, emailed_link, uid):
    link = emailed_link(customer)

    assert_invalid_token(confirm({**link, "uid": uid}))
    assert confirm(link).status_code == 204


def test_a_token_is_good_only_for_its_own_account(customer, other_customer, emailed_link):
    link = emailed_link(customer)

    assert_invalid_token(confirm({**link, "uid": uid_of(other_customer.pk)}))
    assert signs_in(other_customer, PASSWORD)


@pytest.mark.parametrize("token", ["", "x", "c4x2bn-0123456789abcdef0123456789abcdef", "t" * 129])
def test_a_forged_or_malformed_token_is_a_400(customer, emailed_link, token):
    link = emailed_link(customer)

    response = confirm({**link, "token": token})

    assert response.status_code == 400
    assert response.json().get("code") == "invalid_token" or "token" in response.json()
    assert signs_in(customer, PASSWORD)


def test_a_password_the_validators_reject_is_a_field_error_and_the_link_still_works(
    customer, emailed_link
):
    link = emailed_link(customer)

    response = confirm(link, password="12345678")

    assert response.status_code == 400
    assert "new_password" in response.json()
    assert signs_in(customer, PASSWORD)
    assert confirm(link).status_code == 204


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (RESET, {"email": "casey@example.com", "is_staff": True}),
        (CONFIRM, {"uid": "MQ", "token": "x", "new_password": NEW_PASSWORD, "user_id": 1}),
    ],
)
def test_an_unknown_field_is_a_400_naming_it(path, body):
    response = APIClient().post(path, body)

    assert response.status_code == 400
    assert response.json()[next(reversed(body))] == ["Unknown field."]


@pytest.mark.parametrize(
    "body", [{}, {"email": "not-an-email"}, {"email": 5}, {"email": "a@b.c" * 60}]
)
def test_a_malformed_reset_request_is_a_400(handed_to_worker, body):
    response = APIClient().post(RESET, body)

    assert response.status_code == 400
    assert handed_to_worker == []


def test_asking_for_resets_is_throttled_per_client(ask_for_reset, handed_to_worker, customer):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [ask_for_reset(customer.email, client).status_code for _ in range(RESET_RATE)]

    refused = ask_for_reset("someone-else@example.com", client)

    assert statuses == [202] * RESET_RATE
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert len(handed_to_worker) == RESET_RATE
    assert ask_for_reset(customer.email, APIClient(REMOTE_ADDR="203.0.113.10")).status_code == 202


def test_using_links_is_throttled_per_client(customer, emailed_link):
    link = emailed_link(customer)
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [
        confirm({**link, "token": "x"}, client=client).status_code for _ in range(CONFIRM_RATE)
    ]

    refused = confirm(link, client=client)

    assert statuses == [400] * CONFIRM_RATE
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert signs_in(customer, PASSWORD)


@pytest.mark.postgres("two resets racing for one link's row lock")
def test_two_resets_with_one_link_at_once_let_exactly_one_through(transactional_db, make_user):
    user = make_user()
    link = {"uid": uid_of(user.pk), "token": default_token_generator.make_token(user)}

    responses = run_concurrently(
        lambda: confirm(link, password="first-racer-passphrase-1"),
        lambda: confirm(link, password="second-racer-passphrase-2"),
    )

    assert sorted(response.status_code for response in responses) == [204, 400]
    winner = "first" if responses[0].status_code == 204 else "second"
    assert signs_in(user, f"{winner}-racer-passphrase-{1 if winner == 'first' else 2}")
