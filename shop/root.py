"""`GET /api/v1/`: the API's root, a link to each of its resources (as DRF's API root)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from kernel.api.views import APIView

# Each resource's entry point: the list of a collection, the sign-in of accounts.
RESOURCES = {
    "auth": "auth-token",
    "products": "product-list",
    "categories": "category-list",
    "orders": "order-list",
    "payments": "payment-list",
    "health": "health",
    "schema": "schema",
    "docs": "docs",
}

ApiRootSerializer = inline_serializer(
    name="ApiRoot",
    fields={name: serializers.URLField() for name in RESOURCES},
)


class ApiRootView(APIView):
    """Links to every resource of the API, as absolute URLs; anyone may read them."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The API's root: a link to each resource",
        description="`auth` is the sign-in endpoint (`POST auth/token/`); the other links are "
        "the collections, the health check, the OpenAPI document and its Swagger UI.",
        responses={200: ApiRootSerializer},
        tags=["operations"],
    )
    def get(self, request):
        return Response({name: reverse(url, request=request) for name, url in RESOURCES.items()})
