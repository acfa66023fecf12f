"""The Idempotency-Key mechanism, driven through a minimal view that counts its work."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from kernel.idempotency import idempotent
from kernel.models import IdempotencyKey

pytestmark = pytest.mark.django_db


class CountingView(APIView):
    calls: list | None = None

    @idempotent("tests.counting")
    def post(self, request):
        self.calls.append(request.data)
        if request.data.get("fail"):
            return Response({"detail": "no", "code": "nope"}, status=400)
        if request.data.get("boom"):
            raise RuntimeError("boom")
        return Response({"n": len(self.calls)}, status=201)


@pytest.fixture
def post(customer):
    calls: list = []
    view = CountingView.as_view(calls=calls)
    factory = APIRequestFactory()

    def send(body, key=None, user=customer):
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        request = factory.post("/things/", body, format="json", **headers)
        force_authenticate(request, user=user)
        response = view(request)
        response.render()
        return response

    send.calls = calls
    return send


def test_without_a_key_every_request_does_the_work(post):
    post({"a": 1})
    post({"a": 1})

    assert len(post.calls) == 2


def test_the_same_key_and_body_replays_the_first_response_and_does_the_work_once(post):
    first = post({"a": 1}, key="k-1")
    second = post({"a": 1}, key="k-1")

    assert (second.status_code, second.data) == (first.status_code, first.data) == (201, {"n": 1})
    assert second["Idempotent-Replayed"] == "true"
    assert len(post.calls) == 1


def test_the_same_key_with_another_body_is_422(post):
    post({"a": 1}, key="k-1")

    response = post({"a": 2}, key="k-1")

    assert response.status_code == 422
    assert response.data["code"] == "idempotency_key_reused"
    assert len(post.calls) == 1


def test_a_twin_still_in_flight_is_409(post, customer):
    fingerprint = _fingerprint_of(post, {"a": 1})
    IdempotencyKey.objects.create(
        user=customer, scope="tests.counting", key="k-1", fingerprint=fingerprint
    )

    response = post({"a": 1}, key="k-1")

    assert response.status_code == 409
    assert response.data["code"] == "idempotency_key_in_progress"
    assert post.calls == []


def test_a_claim_abandoned_for_minutes_is_taken_over(post, customer):
    fingerprint = _fingerprint_of(post, {"a": 1})
    IdempotencyKey.objects.create(
        user=customer,
        scope="tests.counting",
        key="k-1",
        fingerprint=fingerprint,
        locked_at=timezone.now() - timedelta(minutes=10),
    )

    response = post({"a": 1}, key="k-1")

    assert response.status_code == 201
    assert len(post.calls) == 1


def test_a_key_older_than_a_day_starts_afresh(post):
    post({"a": 1}, key="k-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = post({"a": 2}, key="k-1")

    assert response.status_code == 201
    assert len(post.calls) == 2


def test_a_4xx_is_not_stored_so_the_retry_is_processed_afresh(post):
    assert post({"fail": True}, key="k-1").status_code == 400
    assert IdempotencyKey.objects.count() == 0

    assert post({"fail": True}, key="k-1").status_code == 400
    assert len(post.calls) == 2


def test_an_exception_releases_the_key(post):
    with pytest.raises(RuntimeError):
        post({"boom": True}, key="k-1")

    assert IdempotencyKey.objects.count() == 0


def test_keys_are_scoped_to_the_user(post, other_customer):
    post({"a": 1}, key="shared")
    response = post({"a": 1}, key="shared", user=other_customer)

    assert "Idempotent-Replayed" not in response
    assert len(post.calls) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "naïve"])
def test_a_malformed_key_is_400_and_does_nothing(post, key):
    response = post({"a": 1}, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert post.calls == []


def test_a_key_of_255_printable_characters_is_accepted(post):
    assert post({"a": 1}, key="k" * 255).status_code == 201


def _fingerprint_of(post, body) -> str:
    """The fingerprint the mechanism stores for `body`, read from a completed twin."""
    post(body, key="probe")
    fingerprint = IdempotencyKey.objects.get(key="probe").fingerprint
    IdempotencyKey.objects.filter(key="probe").delete()
    post.calls.clear()
    return fingerprint
