from django.urls import path
from rest_framework.routers import SimpleRouter

from payments.apis import PaymentViewSet, SandboxWebhookView

router = SimpleRouter()
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = [
    path(
        "payments/webhooks/sandbox/",
        SandboxWebhookView.as_view(),
        name="payment-webhook-sandbox",
    ),
    *router.urls,
]
