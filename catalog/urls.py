from catalog.apis import CategoryViewSet, ProductViewSet
from kernel.api.routers import Router

router = Router()
router.register("categories", CategoryViewSet, basename="category")
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
