"""`GET /api/v1/health/`: is the process up, and do the services it needs answer?

The database always; the cache only when it is a service of its own (`REDIS_URL`), since the
embedded caches live in the process or in the database. Without the database nothing works:
503, so a load balancer stops sending requests here. Without Redis the instance still serves
(the catalog reads the database, the throttled operations are 503 until Redis is back) and
every instance shares the one Redis, so taking this one out of rotation would help nobody: 200
with `"status": "degraded"`, for monitoring to alert on.
"""

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kernel.api.errors import RETRY_AFTER_DATABASE_SECONDS
from kernel.api.views import APIView
from kernel.cache import CACHE_ERRORS
from kernel.db import execute


class HealthSerializer(serializers.Serializer):
    optional_response_fields = ("cache",)

    status = serializers.CharField(help_text="`ok`, `degraded` or `unavailable`.")
    database = serializers.CharField(help_text="`ok` or `unavailable`.")
    cache = serializers.CharField(help_text="`ok` or `unavailable`; only when the cache is Redis.")


def _database() -> str:
    try:
        execute("SELECT 1", [])
    except DatabaseError:
        return "unavailable"
    return "ok"


def _cache() -> str:
    try:
        caches["throttle"].get("health")
    except CACHE_ERRORS:
        return "unavailable"
    return "ok"


@extend_schema(tags=["operations"])
class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Is the service up?",
        responses={200: HealthSerializer, 503: HealthSerializer},
    )
    def get(self, request):
        health = {"status": "ok", "database": _database()}
        if settings.REDIS_URL:
            health["cache"] = _cache()
        if health["database"] != "ok":
            health["status"] = "unavailable"
            return Response(
                health, status=503, headers={"Retry-After": str(RETRY_AFTER_DATABASE_SECONDS)}
            )
        if health.get("cache", "ok") != "ok":
            health["status"] = "degraded"
        return Response(health)
