from checkout.apis import ShippingMethodViewSet, TaxRateViewSet, VoucherViewSet
from kernel.api.routers import Router

router = Router()
router.register("shipping-methods", ShippingMethodViewSet, basename="shipping-method")
router.register("tax-rates", TaxRateViewSet, basename="tax-rate")
router.register("vouchers", VoucherViewSet, basename="voucher")

urlpatterns = router.urls
