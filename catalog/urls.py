from catalog.apis import (
    CategoryViewSet,
    ProductImageUploadViewSet,
    ProductImageViewSet,
    ProductVariantViewSet,
    ProductViewSet,
)
from kernel.api.routers import Router

router = Router()
router.register("categories", CategoryViewSet, basename="category")
router.register("products", ProductViewSet, basename="product")
# A product's images: the upload (multipart) and the changes (JSON) are separate views, as a
# view's parsers are chosen before its action is known.
IMAGES = "products/<id:id>/images"
router.register(IMAGES, ProductImageUploadViewSet, basename="product-image-upload")
router.register(IMAGES, ProductImageViewSet, basename="product-image")
router.register("products/<id:id>/variants", ProductVariantViewSet, basename="product-variant")

urlpatterns = router.urls
