"""The contract between shop and a payment provider.

A provider adapter turns shop's four questions (charge, refund, what became of a charge, what
does this webhook say) into the provider's API. It never sees card data, only the client's
provider token, and it must honour `idempotency_key`: the same key never charges or refunds
twice, it answers with the first result again. Transport failures and timeouts surface as
exceptions; shop then treats the outcome as unknown and asks again later with the same key, or
asks what became of the charge (`retrieve_charge`).
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from payments.exceptions import InvalidPaymentToken, InvalidWebhook

__all__ = [
    "ChargeResult",
    "GatewayError",
    "InvalidPaymentToken",
    "InvalidWebhook",
    "PaymentGateway",
    "RefundResult",
    "WebhookEvent",
]

ChargeStatus = Literal["succeeded", "failed", "processing"]
RefundStatus = Literal["succeeded", "failed"]
StatusT = TypeVar("StatusT", ChargeStatus, RefundStatus)


class GatewayError(Exception):
    """The provider could not be reached or did not answer in time."""


@dataclass(frozen=True, slots=True)
class _MoneyMoved(Generic[StatusT]):
    """The provider's answer to moving money: what it moved (or not), in its own words."""

    status: StatusT
    reference: str
    amount: Decimal
    currency: str
    failure_code: str = ""


class ChargeResult(_MoneyMoved[ChargeStatus]):
    """The provider's answer to a charge."""

    __slots__ = ()


class RefundResult(_MoneyMoved[RefundStatus]):
    """The provider's answer to a refund."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook. `payment_id` is None for event types shop does not act on.

    `charge_reference` is the provider's id of the charge when the event names it; it lets a
    webhook settle a payment whose charge call never got an answer.
    """

    id: str
    type: str
    payment_id: int | None = None
    failure_code: str = ""
    charge_reference: str = ""


class PaymentGateway(ABC):
    """One payment provider. Subclasses are named in `payments.gateways.GATEWAYS`."""

    name: str

    @abstractmethod
    def validate_token(self, *, token: str) -> None:
        """Raise `InvalidPaymentToken` for a token the provider cannot charge."""

    @abstractmethod
    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> ChargeResult:
        """Charge `amount` once per `idempotency_key`; a repeated key returns the first result."""

    @abstractmethod
    def retrieve_charge(self, *, idempotency_key: str, reference: str = "") -> ChargeResult | None:
        """What became of the charge asked for with `idempotency_key`: its result as the provider
        knows it now, or None if the provider never received it.

        `reference` is the provider's id of the charge when shop has it; a charge whose answer
        was lost has none, so an adapter must also find a charge by the key alone (providers
        that cannot look idempotency keys up send it as the charge's own reference or metadata).
        Never creates a charge; raises like `charge` when the provider does not answer.
        """

    @abstractmethod
    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Refund part or all of a captured charge, once per `idempotency_key`."""

    @abstractmethod
    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature over the raw body and parse it; raise `InvalidWebhook` if not."""
