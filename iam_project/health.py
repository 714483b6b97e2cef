"""Liveness and readiness probes for load balancers and orchestrators."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def healthz(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database and the cache/broker answer; 503 names what does not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("readiness check failed component=database")
        checks["database"] = "unavailable"
    try:
        cache.set("readyz", "1", 5)
        checks["redis"] = "ok" if cache.get("readyz") == "1" else "unavailable"
    except Exception:
        logger.exception("readiness check failed component=redis")
        checks["redis"] = "unavailable"

    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
