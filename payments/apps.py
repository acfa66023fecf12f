from django.apps import AppConfig
from django.core import checks


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from orders.events import order_cancelled
        from payments import receivers
        from payments.checks import (
            check_gateway_setting,
            check_housekeeping_settings,
            check_webhook_secret,
        )

        order_cancelled.connect(
            receivers.refund_cancelled_order, dispatch_uid="payments.refund_cancelled_order"
        )
        checks.register(check_gateway_setting)
        checks.register(check_housekeeping_settings)
        checks.register(check_webhook_secret, checks.Tags.security, deploy=True)
