"""`GET /api/v1/health/`: is the process up, and does the database answer?"""

from django.db import DatabaseError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kernel.api.errors import RETRY_AFTER_DATABASE_SECONDS
from kernel.api.views import APIView
from kernel.db import execute

HealthSerializer = inline_serializer(
    name="Health",
    fields={"status": serializers.CharField(), "database": serializers.CharField()},
)


@extend_schema(tags=["operations"])
class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Is the service up?",
        responses={200: HealthSerializer, 503: HealthSerializer},
    )
    def get(self, request):
        try:
            execute("SELECT 1", [])
        except DatabaseError:
            return Response(
                {"status": "unavailable", "database": "unavailable"},
                status=503,
                headers={"Retry-After": str(RETRY_AFTER_DATABASE_SECONDS)},
            )
        return Response({"status": "ok", "database": "ok"})
