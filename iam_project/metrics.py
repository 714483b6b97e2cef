"""Prometheus metrics: requests, latency, logins by outcome, emails.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR to a fresh directory so that
every worker's counts add up in /metrics.
"""

import ipaddress
import os
import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "iam_http_requests_total", "HTTP requests answered.", ["method", "status"]
)
LATENCY = Histogram(
    "iam_http_request_seconds",
    "Time to answer an HTTP request.",
    ["method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
LOGINS = Counter(
    "iam_logins_total", "Authentication attempts by outcome.", ["method", "outcome"]
)
EMAILS = Counter("iam_emails_total", "Emails handed to SMTP, by outcome.", ["outcome"])


def count_login(*, method: str, outcome: str) -> None:
    LOGINS.labels(method=method, outcome=outcome).inc()


def count_email(*, outcome: str) -> None:
    EMAILS.labels(outcome=outcome).inc()


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        LATENCY.labels(method=request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(
            method=request.method, status=f"{response.status_code // 100}xx"
        ).inc()
        return response


def _may_scrape(request) -> bool:
    token = settings.IAM_METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        return constant_time_compare(given, token)
    # Without a token only this machine may read the metrics.
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request):
    if not _may_scrape(request):
        return HttpResponse(status=404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return HttpResponse(payload, content_type=CONTENT_TYPE_LATEST)
