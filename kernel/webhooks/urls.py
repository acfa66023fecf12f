from kernel.api.routers import Router
from kernel.webhooks.apis import WebhookEndpointViewSet

router = Router()
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
