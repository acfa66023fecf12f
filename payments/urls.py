from django.urls import path

from kernel.api.routers import Router
from payments.apis import PaymentViewSet, SandboxWebhookView

router = Router()
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = [
    path(
        "payments/webhooks/sandbox/",
        SandboxWebhookView.as_view(),
        name="payment-webhook-sandbox",
    ),
    *router.urls,
]
