"""How long an `Idempotency-Key` stays claimed by a request that died with its worker.

The claim is taken over once it is `IDEMPOTENCY_LOCK_SECONDS` old (60 by default, longer than
gunicorn's 30 s worker timeout); a twin arriving before is 409 with `Retry-After` saying when.
A request that outlives the window anyway can neither store its response over the claim of the
twin that took it over nor release that claim. Driven through minimal views whose work is a
database row, as an order's (`atomic=True`) or as a payment's (`atomic=False`).
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

pytestmark = pytest.mark.django_db

BODY = {"name": "the-work"}


def _work(view, request):
    if view.during_work is not None:
        view.during_work()
    if request.data.get("fail"):
        return Response({"detail": "no", "code": "nope"}, status=400)
    Group.objects.create(name=f"{request.data['name']} {uuid.uuid4()}")
    return Response({"name": request.data["name"]}, status=201)


class AtomicView(APIView):
    """Works in the operation's transaction, as placing an order does."""

    during_work = None

    @idempotent("tests.lock")
    def post(self, request):
        return _work(self, request)


class OutsideView(APIView):
    """Works between commits, as a payment does."""

    during_work = None

    @idempotent("tests.lock", atomic=False)
    def post(self, request):
        return _work(self, request)


@pytest.fixture(params=[AtomicView, OutsideView], ids=["atomic", "not-atomic"])
def view(request):
    return request.param


@pytest.fixture
def post(customer, view):
    factory = APIRequestFactory()

    def send(body, key, during_work=None):
        request = factory.post("/work/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        force_authenticate(request, user=customer)
        response = view.as_view(during_work=during_work)(request)
        response.render()
        return response

    return send


@pytest.fixture
def abandoned_claim(post):
    """`abandoned_claim(seconds_ago)`: the claim of a request for BODY that died without work."""

    def abandon(seconds_ago: float) -> None:
        post(BODY, key="died")
        Group.objects.filter(name__startswith=BODY["name"]).delete()
        IdempotencyKey.objects.filter(key="died").update(
            response_status=None,
            response_body=None,
            locked_at=timezone.now() - timedelta(seconds=seconds_ago),
        )

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


@pytest.mark.parametrize("body", [BODY, {**BODY, "fail": True}], ids=["2xx", "4xx"])
def test_a_request_that_outlived_the_window_leaves_the_claim_to_the_twin_that_took_it(post, body):
    def a_twin_takes_the_claim_over_and_is_still_working():
        IdempotencyKey.objects.filter(key="slow").update(locked_at=timezone.now())

    post(body, key="slow", during_work=a_twin_takes_the_claim_over_and_is_still_working)

    claim = IdempotencyKey.objects.get(key="slow")
    assert claim.response_status is None
