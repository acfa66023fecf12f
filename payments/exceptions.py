"""The payments app's domain errors, each with a stable `code`."""

from kernel.exceptions import Conflict, DomainError, FieldError, NotFound


class PaymentsError(DomainError):
    code = "payments_error"


class InvalidPaymentToken(FieldError, PaymentsError):
    """A token the provider does not understand: refused before any charge is attempted."""

    def __init__(self, message: str = "This payment token is not valid.") -> None:
        super().__init__("token", message)


class InvalidRefundAmount(FieldError, PaymentsError):
    def __init__(self, message: str) -> None:
        super().__init__("amount", message)


class PaymentNotFound(NotFound, PaymentsError):
    default_detail = "No such payment."


class PaymentNotRefundable(Conflict, PaymentsError):
    code = "payment_not_refundable"
    default_detail = "Only a succeeded or partially refunded payment can be refunded."


class RefundDeclined(Conflict, PaymentsError):
    code = "refund_declined"
    default_detail = "The payment provider declined the refund."


class GatewayUnavailable(PaymentsError):
    """The provider did not answer (an error or a timeout): the outcome is unknown."""

    status_code = 502
    code = "gateway_unavailable"
    default_detail = "The payment provider did not answer; try again."


class InvalidWebhook(PaymentsError):
    """A webhook whose signature, timestamp or body is not acceptable; nothing was changed."""

    code = "invalid_webhook"
    default_detail = "The webhook is not correctly signed or not well formed."
