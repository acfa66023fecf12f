"""Play the sandbox provider: settle a charge and deliver its signed webhook to shop.

The webhook goes through the real endpoint (URL resolver, view, signature check), built with a
`RequestFactory`, so no server or network is needed.
"""

import json
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory
from django.urls import resolve, reverse

from payments.gateways.sandbox import SandboxGateway
from payments.gateways.webhooks import (
    DEFAULT_FAILURE_CODE,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    SIGNATURE_HEADER,
    signature_header,
)
from payments.models import Payment
from payments.services import charge_idempotency_key


class Command(BaseCommand):
    help = "Settle a sandbox payment (succeeded or failed) by delivering a signed webhook."

    def add_arguments(self, parser) -> None:
        parser.add_argument("payment_id", type=int)
        parser.add_argument("outcome", choices=["succeeded", "failed"])
        parser.add_argument(
            "--failure-code",
            default=DEFAULT_FAILURE_CODE,
            help=f"Why a failed payment failed (default: {DEFAULT_FAILURE_CODE}).",
        )

    def handle(self, *args, payment_id: int, outcome: str, failure_code: str, **options) -> None:
        payment = Payment.objects.filter(pk=payment_id).first()
        if payment is None:
            raise CommandError(f"No payment {payment_id}.")
        if payment.provider != SandboxGateway.name:
            raise CommandError(f"Payment {payment_id} is not a sandbox payment.")
        if not settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET:
            raise CommandError("PAYMENTS_SANDBOX_WEBHOOK_SECRET is not set.")

        succeeded = outcome == "succeeded"
        idempotency_key = charge_idempotency_key(payment.pk)
        charge_reference = SandboxGateway().settle_async_charge(
            idempotency_key=idempotency_key, succeeded=succeeded, failure_code=failure_code
        )
        if charge_reference is None:
            raise CommandError(f"The sandbox never received a charge for payment {payment_id}.")
        data: dict = {"payment_id": payment.pk, "charge": charge_reference}
        if not succeeded:
            data["failure_code"] = failure_code
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": PAYMENT_SUCCEEDED if succeeded else PAYMENT_FAILED,
                "data": data,
            }
        ).encode()

        path = reverse("payment-webhook-sandbox")
        header = signature_header(secret=settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, body=body)
        request = RequestFactory().post(
            path,
            data=body,
            content_type="application/json",
            secure=True,
            headers={SIGNATURE_HEADER: header},
        )
        response = resolve(path).func(request)
        response.render()
        self.stdout.write(f"{response.status_code} {response.content.decode()}")
        if response.status_code != 200:
            raise CommandError(f"The webhook was refused ({response.status_code}).")
