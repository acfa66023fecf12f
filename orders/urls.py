from kernel.api.routers import Router
from orders.apis import OrderViewSet

router = Router()
router.register("orders", OrderViewSet, basename="order")

urlpatterns = router.urls
