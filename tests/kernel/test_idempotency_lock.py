"""How long an `Idempotency-Key` stays claimed by a request that died with its worker.

The claim is taken over once it is `IDEMPOTENCY_LOCK_SECONDS` old (60 by default, longer than
gunicorn's 30 s worker timeout); a twin arriving before is 409 with `Retry-After` saying when.
A request that outlives the window anyway stores nothing and rolls its work back. Driven
through a minimal view whose work is a database row, so that a rollback shows.
"""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from kernel.idempotency import idempotent
from kernel.models import IdempotencyKey
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db

SCOPE = "tests.lock"
BODY = {"name": "the-work"}


class WorkingView(APIView):
    """Does its work in the database: a group named after the body, once per time it works."""

    during_work = None

    @idempotent(SCOPE)
    def post(self, request):
        if self.during_work is not None:
            self.during_work()
        if request.data.get("fail"):
            return Response({"detail": "no", "code": "nope"}, status=400)
        Group.objects.create(name=f"{request.data['name']} {uuid.uuid4()}")
        return Response({"name": request.data["name"]}, status=201)


@pytest.fixture
def post(customer):
    factory = APIRequestFactory()

    def send(body, key, during_work=None):
        request = factory.post("/work/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        force_authenticate(request, user=customer)
        response = WorkingView.as_view(during_work=during_work)(request)
        response.render()
        return response

    return send


@pytest.fixture
def abandoned_claim(post):
    """`abandoned_claim(seconds_ago)`: the claim of a request for BODY that died without work."""

    def abandon(seconds_ago: float) -> IdempotencyKey:
        post(BODY, key="died")
        Group.objects.filter(name__startswith=BODY["name"]).delete()
        IdempotencyKey.objects.filter(key="died").update(
            response_status=None,
            response_body=None,
            locked_at=timezone.now() - timedelta(seconds=seconds_ago),
        )
        return IdempotencyKey.objects.get(key="died")

    return abandon


def _work_done() -> int:
    return Group.objects.filter(name__startswith=BODY["name"]).count()


def test_a_claim_older_than_the_lock_window_is_taken_over_and_the_work_done_once(
    post, abandoned_claim
):
    abandoned_claim(61)

    taken_over = post(BODY, key="died")
    retried = post(BODY, key="died")

    assert (taken_over.status_code, taken_over.data) == (201, BODY)
    assert (retried.status_code, retried["Idempotent-Replayed"]) == (201, "true")
    assert _work_done() == 1


def test_a_claim_within_the_window_is_409_with_retry_after_until_it_may_be_taken_over(
    post, abandoned_claim
):
    abandoned_claim(20)

    response = post(BODY, key="died")

    assert response.status_code == 409
    assert response.data["code"] == "idempotency_key_in_progress"
    assert 39 <= int(response["Retry-After"]) <= 41
    assert _work_done() == 0


def test_the_window_is_the_setting(post, abandoned_claim, settings):
    settings.IDEMPOTENCY_LOCK_SECONDS = 5
    abandoned_claim(6)

    assert post(BODY, key="died").status_code == 201
    assert _work_done() == 1


@pytest.mark.postgres(
    "a twin commits its takeover while the slow request's transaction is open; SQLite's write "
    "lock makes the twin wait for that transaction, so the slow request completes first there"
)
@pytest.mark.django_db(transaction=True)
def test_a_request_that_outlives_the_window_stores_nothing_and_undoes_its_work(post):
    """The slow request's claim goes stale while it works; a twin takes it over and works."""
    twins = []

    def a_minute_later_a_twin_arrives():
        IdempotencyKey.objects.filter(key="slow").update(
            locked_at=timezone.now() - timedelta(seconds=61)
        )
        return post(BODY, key="slow")

    def a_twin_takes_the_claim_over():
        # In a thread of its own: its own connection, outside the slow request's transaction.
        twins.extend(run_concurrently(a_minute_later_a_twin_arrives))

    slow = post(BODY, key="slow", during_work=a_twin_takes_the_claim_over)

    assert (twins[0].status_code, twins[0].data) == (201, BODY)
    assert slow.status_code == 409
    assert slow.data["code"] == "idempotency_key_in_progress"
    assert slow["Retry-After"] == "1"
    assert _work_done() == 1
    replay = post(BODY, key="slow")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")


@pytest.mark.postgres(
    "a twin commits its takeover while the slow request's transaction is open; SQLite's write "
    "lock makes the twin wait for that transaction, so the slow request completes first there"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("body", [BODY, {**BODY, "fail": True}], ids=["2xx", "4xx"])
def test_a_request_whose_claim_a_working_twin_holds_leaves_the_claim_to_the_twin(post, body):
    def a_twin_takes_the_claim_over_and_is_still_working():
        IdempotencyKey.objects.filter(key="slow").update(locked_at=timezone.now())

    def in_another_connection():
        run_concurrently(a_twin_takes_the_claim_over_and_is_still_working)

    slow = post(body, key="slow", during_work=in_another_connection)

    assert slow.status_code == (409 if body == BODY else 400)
    assert _work_done() == 0
    claim = IdempotencyKey.objects.get(key="slow")
    assert claim.response_status is None
