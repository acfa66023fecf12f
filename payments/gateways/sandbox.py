"""The built-in `sandbox` provider: real bookkeeping, fake money.

It keeps a ledger as a provider would (`SandboxCharge`, `SandboxRefund`), so the same
idempotency key never charges or refunds twice and tests can count the charges. The test
tokens of the public contract decide each charge's outcome; `tok_async` stays `processing`
until the provider settles it (`settle_async_charge`, used by `manage.py sandbox_settle`) and
tells shop by webhook.
"""

import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction

from kernel.dtos import from_fields
from payments.exceptions import InvalidPaymentToken
from payments.gateways.base import ChargeResult, PaymentGateway, RefundResult, WebhookEvent
from payments.gateways.webhooks import (
    SIGNATURE_HEADER,
    header_value,
    parse_event,
    verify_signature,
)
from payments.models import SandboxCharge, SandboxRefund

LedgerRow = TypeVar("LedgerRow", SandboxCharge, SandboxRefund)
Result = TypeVar("Result", ChargeResult, RefundResult)

TOKEN_OUTCOMES: dict[str, tuple[str, str]] = {
    "tok_visa": ("succeeded", ""),
    "tok_chargeDeclined": ("failed", "card_declined"),
    "tok_insufficientFunds": ("failed", "insufficient_funds"),
    "tok_async": ("processing", ""),
}


def _charge_result(charge: SandboxCharge) -> ChargeResult:
    return from_fields(ChargeResult, charge)


def _refund_result(refund: SandboxRefund) -> RefundResult:
    return from_fields(RefundResult, refund, status="succeeded", failure_code="")


def _once(
    ledger: type[LedgerRow],
    idempotency_key: str,
    *,
    record: Callable[[], Result],
    answer: Callable[[LedgerRow], Result],
) -> Result:
    """What the provider answered the first time it was asked with `idempotency_key`.

    The first request `record`s its row in the ledger (in a transaction: a refusal leaves no
    row); a repeat, or a concurrent twin that lost the race for the unique key, gets the
    `answer` of the row the first one left.
    """
    existing = ledger.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return answer(existing)
    try:
        with transaction.atomic():
            return record()
    except IntegrityError:
        return answer(ledger.objects.get(idempotency_key=idempotency_key))


class SandboxGateway(PaymentGateway):
    name = "sandbox"

    def validate_token(self, *, token: str) -> None:
        if token not in TOKEN_OUTCOMES:
            raise InvalidPaymentToken(
                "Unknown sandbox token; use one of: " + ", ".join(TOKEN_OUTCOMES) + "."
            )

    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> ChargeResult:
        def record() -> ChargeResult:
            self.validate_token(token=token)
            status, failure_code = TOKEN_OUTCOMES[token]
            charge = SandboxCharge.objects.create(
                idempotency_key=idempotency_key,
                reference=f"ch_sandbox_{uuid.uuid4().hex}",
                amount=amount,
                currency=currency,
                status=status,
                failure_code=failure_code,
            )
            return _charge_result(charge)

        return _once(SandboxCharge, idempotency_key, record=record, answer=_charge_result)

    def retrieve_charge(self, *, idempotency_key: str, reference: str = "") -> ChargeResult | None:
        charges = SandboxCharge.objects.filter(idempotency_key=idempotency_key)
        if reference:
            charges = charges.filter(reference=reference)
        charge = charges.first()
        return None if charge is None else _charge_result(charge)

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        def record() -> RefundResult:
            charge = (
                SandboxCharge.objects.select_for_update().filter(reference=charge_reference).first()
            )
            failure_code = self._refund_refusal(charge, amount=amount, currency=currency)
            if failure_code:
                return RefundResult(
                    status="failed",
                    reference="",
                    amount=amount,
                    currency=currency,
                    failure_code=failure_code,
                )
            refund = SandboxRefund.objects.create(
                idempotency_key=idempotency_key,
                reference=f"re_sandbox_{uuid.uuid4().hex}",
                charge=charge,
                amount=amount,
                currency=currency,
            )
            charge.refunded_amount += amount
            charge.save(update_fields=["refunded_amount"])
            return _refund_result(refund)

        return _once(SandboxRefund, idempotency_key, record=record, answer=_refund_result)

    @staticmethod
    def _refund_refusal(charge: SandboxCharge | None, *, amount: Decimal, currency: str) -> str:
        if charge is None:
            return "no_such_charge"
        if charge.status == "failed":
            return "charge_not_captured"
        if currency != charge.currency:
            return "currency_mismatch"
        if amount <= 0 or charge.refunded_amount + amount > charge.amount:
            return "amount_too_large"
        return ""

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        verify_signature(
            secret=settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET,
            body=body,
            header=header_value(headers, SIGNATURE_HEADER),
        )
        return parse_event(body)

    def settle_async_charge(
        self, *, idempotency_key: str, succeeded: bool, failure_code: str
    ) -> str | None:
        """Decide a `processing` charge, as the bank would; its reference, None if unknown."""
        SandboxCharge.objects.filter(idempotency_key=idempotency_key, status="processing").update(
            status="succeeded" if succeeded else "failed",
            failure_code="" if succeeded else failure_code,
        )
        return (
            SandboxCharge.objects.filter(idempotency_key=idempotency_key)
            .values_list("reference", flat=True)
            .first()
        )
