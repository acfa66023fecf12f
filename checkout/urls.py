from checkout.apis import (
    CartLineViewSet,
    CartViewSet,
    ShippingMethodViewSet,
    TaxRateViewSet,
    VoucherViewSet,
)
from kernel.api.routers import Router

router = Router()
router.register("shipping-methods", ShippingMethodViewSet, basename="shipping-method")
router.register("tax-rates", TaxRateViewSet, basename="tax-rate")
router.register("vouchers", VoucherViewSet, basename="voucher")
router.register("carts", CartViewSet, basename="cart")
router.register("carts/<uuid:id>/lines", CartLineViewSet, basename="cart-line")

urlpatterns = router.urls
