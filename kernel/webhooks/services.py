"""The webhooks' use cases: integrators' endpoints, and delivering events to them.

A delivery is at least once: a worker that dies between the receiver's 2xx and recording it
leaves the delivery to be sent again after its lease, so receivers deduplicate on
`Shop-Event-Id` (the event's id).
"""

import datetime
import json
import logging
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from kernel.background import send_task_on_commit
from kernel.consumers import Event
from kernel.housekeeping import delete_in_batches
from kernel.models import WebhookDelivery, WebhookEndpoint
from kernel.signatures import SIGNATURE_HEADER, signature_header
from kernel.webhooks import addresses, transport
from kernel.webhooks.exceptions import WebhookError

logger = logging.getLogger(__name__)

DELIVER_TASK = "kernel.deliver_webhook"
# The event types of the contract (docs/API.md, "Events and webhooks"), and "*" for every type.
EVENT_TYPES = (
    "order.placed",
    "order.paid",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "payment.succeeded",
    "payment.failed",
    "payment.refunded",
    "product.created",
    "product.updated",
    "product.deleted",
)
ALL_EVENTS = "*"
MAX_ATTEMPTS = 8
# A claimed delivery is due again after this, should its worker die mid-POST: longer than any
# POST can take (`transport.TIMEOUT_SECONDS`, connecting and resolving included).
LEASE_SECONDS = 60
# How many due deliveries one sweep asks for.
DISPATCH_BATCH_SIZE = 500
# A request for a delivery that no worker took within this is dropped: the sweep asks again for
# whatever is still due, so requests do not pile up while the workers are busy or away.
DELIVERY_REQUEST_EXPIRES_SECONDS = 60
EVENT_ID_HEADER = "Shop-Event-Id"
USER_AGENT = "shop-webhooks/1.0"
SECRET_PREFIX = "whsec_"

Status = WebhookDelivery.Status


def new_secret() -> str:
    return f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def checked_url(url: str) -> SplitResult:
    """`url` split, once its host is known to resolve to addresses the shop may call; raises
    `WebhookUrlForbidden` or `WebhookUrlUnresolvable` otherwise."""
    parts = urlsplit(url)
    addresses.allowed_addresses(parts)
    return parts


def create_endpoint(
    *, url: str, event_types: Iterable[str], is_active: bool = True, secret: str = ""
) -> WebhookEndpoint:
    """Subscribe `url` to `event_types`, signed with `secret` (a new one when not given)."""
    checked_url(url)
    return WebhookEndpoint.objects.create(
        url=url, event_types=list(event_types), is_active=is_active, secret=secret or new_secret()
    )


def update_endpoint(*, endpoint: WebhookEndpoint, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Change the given fields of `endpoint` (`url`, `event_types`, `is_active`, `secret`)."""
    if "url" in data:
        checked_url(data["url"])
    for name, value in data.items():
        setattr(endpoint, name, list(value) if name == "event_types" else value)
    endpoint.save(update_fields=list(data))
    return endpoint


def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    """Delete `endpoint` and its delivery log."""
    endpoint.delete()


def subscribes_to(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return ALL_EVENTS in endpoint.event_types or event_type in endpoint.event_types


def event_body(event: Event) -> str:
    """The JSON POSTed for `event`: the event as published (`{"id", "type", "created_at",
    "data"}`)."""
    return json.dumps(
        {"id": event.id, "type": event.type, "created_at": event.created_at, "data": event.data},
        separators=(",", ":"),
    )


def record_deliveries(*, event: Event) -> list[int]:
    """Write a pending delivery of `event` to each active endpoint subscribed to its type (once:
    a delivery that exists already stays as it is), and ask for each once the caller's
    transaction commits; the ids of the event's pending deliveries."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).order_by("pk")
        if subscribes_to(endpoint, event.type)
    ]
    if not endpoints:
        return []
    body = event_body(event)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=endpoint, event_id=event.id, event_type=event.type, body=body)
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    ids = list(
        WebhookDelivery.objects.filter(event_id=event.id, status=Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _ask_for_deliveries(ids)
    return ids


def _ask_for_deliveries(ids: Iterable[int]) -> None:
    """Once the caller's transaction commits (at once outside one), ask the worker for these
    deliveries."""
    for delivery_id in ids:
        send_task_on_commit(
            DELIVER_TASK,
            args=[delivery_id],
            expires=DELIVERY_REQUEST_EXPIRES_SECONDS,
            if_lost="beat's sweep asks for every due delivery.",
        )


def dispatch_due(*, now: datetime.datetime | None = None) -> int:
    """Ask for the delivery of every pending delivery that is due (to an active endpoint), at
    most `DISPATCH_BATCH_SIZE` of them, oldest first; how many were asked for."""
    now = timezone.now() if now is None else now
    ids = list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:DISPATCH_BATCH_SIZE]
    )
    _ask_for_deliveries(ids)
    return len(ids)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    return datetime.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def deliver(*, delivery_id: int) -> str | None:
    """Make one attempt at delivering `delivery_id` if it is pending and due (to an active
    endpoint); its status afterwards, or None when there was nothing to attempt.

    The attempt is claimed (counted, and the row's next attempt pushed out by the lease) and
    committed before the POST, outside any transaction; the outcome is recorded only if no
    other worker claimed the row since (after the lease ran out).
    """
    now = timezone.now()
    # The conditions are on the row itself, not in a join (which Django would turn into
    # `id IN (SELECT …)`): PostgreSQL re-checks them on the row a concurrent claim just
    # committed, so of workers racing for the row only the first claims it.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=Status.PENDING,
        next_attempt_at__lte=now,
        endpoint_id__in=WebhookEndpoint.objects.filter(is_active=True).values("pk"),
    ).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + datetime.timedelta(seconds=LEASE_SECONDS),
        last_attempt_at=now,
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:  # its endpoint was deleted meanwhile, and it with it
        return None
    outcome = _post(delivery)
    finished = timezone.now()
    if outcome.delivered:
        changes = {"status": Status.DELIVERED, "next_attempt_at": None}
    elif delivery.attempts >= MAX_ATTEMPTS:
        changes = {"status": Status.FAILED, "next_attempt_at": None}
    else:
        changes = {"next_attempt_at": finished + retry_delay(delivery.attempts)}
    WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, attempts=delivery.attempts
    ).update(
        last_status_code=outcome.status_code,
        last_error=outcome.error,
        last_attempt_at=finished,
        **changes,
    )
    return changes.get("status", Status.PENDING)


def _post(delivery: WebhookDelivery) -> transport.Outcome:
    """POST the delivery's body, signed now, to an address of its URL checked now."""
    body = delivery.body.encode()
    try:
        url = urlsplit(delivery.endpoint.url)
        address = addresses.allowed_addresses(url)[0]
    except WebhookError as error:
        return transport.Outcome(status_code=None, error=error.detail[: transport.MAX_ERROR_LENGTH])
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: delivery.event_id,
        SIGNATURE_HEADER: signature_header(secret=delivery.endpoint.secret, body=body),
    }
    return transport.post(url=url, address=address, body=body, headers=headers)


def retry_now(*, deliveries: Iterable[WebhookDelivery]) -> int:
    """Make finished `deliveries` that failed pending and due now, for one more attempt; how
    many."""
    return WebhookDelivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], status=Status.FAILED
    ).update(status=Status.PENDING, next_attempt_at=timezone.now())


def prune_deliveries(*, now: datetime.datetime | None = None) -> int:
    """Delete the delivered and failed deliveries created more than
    `WEBHOOK_DELIVERY_RETENTION_DAYS` ago, in bounded batches; how many were deleted."""
    now = timezone.now() if now is None else now
    cutoff = now - datetime.timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    return delete_in_batches(
        WebhookDelivery.objects.filter(
            status__in=[Status.DELIVERED, Status.FAILED], created_at__lt=cutoff
        )
    )
