"""shop's URLs plus the bench-only endpoints of `bench.views` under /bench/."""

from django.urls import include, path, resolve

from bench import views
from shop.urls import handler400, handler404, handler500
from shop.urls import urlpatterns as shop_urlpatterns

bench_patterns = [
    path("floor/", views.FloorView.as_view(), name="bench-floor"),
    path("catalog/products/", views.ProductsView.as_view(), name="bench-catalog-products"),
    path("catalog/reserve/", views.ReserveView.as_view(), name="bench-catalog-reserve"),
    path("catalog/release/", views.ReleaseView.as_view(), name="bench-catalog-release"),
    path(
        "orders/",
        views.without_outbox(resolve("/api/v1/orders/", urlconf="shop.urls").func),
        name="bench-place-without-outbox",
    ),
]

urlpatterns = [*shop_urlpatterns, path("bench/", include(bench_patterns))]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
